using Drydock.Registry.Auth;
using Drydock.Registry.Transport;

namespace Drydock.Tests.Registry.Auth;

public sealed class AuthChallengeTests
{
    [Fact]
    public void Parses_a_docker_hub_bearer_challenge()
    {
        var challenge = Assert.Single(AuthChallenge.ParseAll(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\""));

        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.docker.io/token", challenge.Realm);
        Assert.Equal("registry.docker.io", challenge.Service);
        Assert.Equal(["repository:library/busybox:pull"], challenge.Scopes);
    }

    [Fact]
    public void Parses_a_basic_challenge() =>
        Assert.Equal("drydock-test", Assert.Single(AuthChallenge.ParseAll("Basic realm=\"drydock-test\"")).Realm);

    [Fact]
    public void Scheme_and_names_are_case_insensitive()
    {
        var challenge = Assert.Single(AuthChallenge.ParseAll("bearer Realm=\"r\", SERVICE=s"));

        Assert.True(challenge.IsBearer);
        Assert.Equal("r", challenge.Realm);
        Assert.Equal("s", challenge.Service);
    }

    [Fact]
    public void Splits_several_scopes_and_reads_the_error()
    {
        var challenge = Assert.Single(AuthChallenge.ParseAll(
            "Bearer realm=\"https://a/token\",service=\"s\",scope=\"repository:x:pull repository:y:pull,push\",error=\"insufficient_scope\""));

        Assert.Equal(["repository:x:pull", "repository:y:pull,push"], challenge.Scopes);
        Assert.Equal("insufficient_scope", challenge.Error);
    }

    [Fact]
    public void Reads_several_challenges_in_one_header()
    {
        var challenges = AuthChallenge.ParseAll("Basic realm=\"basic realm\", Bearer realm=\"https://t/token\",service=\"svc\"");

        Assert.Equal(2, challenges.Count);
        Assert.True(challenges[0].IsBasic);
        Assert.Equal("basic realm", challenges[0].Realm);
        Assert.True(challenges[1].IsBearer);
        Assert.Equal("svc", challenges[1].Service);
    }

    [Fact]
    public void Unescapes_quoted_values_and_accepts_unquoted_urls()
    {
        var challenge = Assert.Single(AuthChallenge.ParseAll("Bearer realm=https://h:5001/token,service=\"a \\\"quoted\\\" b\""));

        Assert.Equal("https://h:5001/token", challenge.Realm);
        Assert.Equal("a \"quoted\" b", challenge.Service);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(",,,")]
    [InlineData("\"junk")]
    public void Empty_or_junk_headers_give_no_challenge(string header) => Assert.Empty(AuthChallenge.ParseAll(header));

    [Fact]
    public void A_bare_scheme_has_no_parameters() => Assert.Empty(Assert.Single(AuthChallenge.ParseAll("Negotiate")).Parameters);

    [Fact]
    public void Scopes_print_in_the_distribution_form()
    {
        Assert.Equal("repository:app:pull", RegistryScope.Pull("app").ToString());
        Assert.Equal("repository:ns/app:pull,push", RegistryScope.Push("ns/app").ToString());
    }
}
