using Drydock.Cli;

namespace Drydock.Tests.Cli;

public sealed class SecretFlagTests
{
    private static readonly Func<string, string?> NoVariables = _ => null;

    [Theory]
    [InlineData("id=npm,src=/home/me/.npmrc", "npm", "/home/me/.npmrc", null)]
    [InlineData("id=npm,source=/home/me/.npmrc", "npm", "/home/me/.npmrc", null)]
    [InlineData("id=npm,type=file,src=/f", "npm", "/f", null)]
    [InlineData("id=aws,env=AWS_KEY", "aws", null, "AWS_KEY")]
    [InlineData("id=aws,type=env,src=AWS_KEY", "aws", null, "AWS_KEY")]
    [InlineData("id=aws,type=env", "aws", null, "aws")]
    [InlineData("id=token", "token", "token", null)]
    [InlineData("ID=token,TYPE=FILE", "token", "token", null)]
    public void Parses_what_buildx_accepts(string text, string id, string? file, string? variable)
    {
        var secret = SecretFlag.Parse(text, NoVariables);

        Assert.Equal((id, file, variable), (secret.Id, secret.FilePath, secret.EnvironmentVariable));
    }

    [Fact]
    public void A_bare_id_is_the_variable_of_that_name_when_it_is_set()
    {
        var secret = SecretFlag.Parse("id=TOKEN", name => name == "TOKEN" ? "x" : null);

        Assert.Equal(("TOKEN", null), (secret.EnvironmentVariable, secret.FilePath));
    }

    [Theory]
    [InlineData("src=/f", "the secret needs an id")]
    [InlineData("id=a,src=/f,env=B", "give either src=PATH or env=VARIABLE, not both")]
    [InlineData("id=a,type=ssh", "unknown type 'ssh'")]
    [InlineData("id=a,type=file,env=B", "type=file takes src=PATH")]
    [InlineData("id=a,colour=red", "unexpected key 'colour'")]
    public void Malformed_values_are_refused(string text, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => SecretFlag.Parse(text, NoVariables));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
