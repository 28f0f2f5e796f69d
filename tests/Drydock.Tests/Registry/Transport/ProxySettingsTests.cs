using Drydock.Registry.Transport;

namespace Drydock.Tests.Registry.Transport;

public sealed class ProxySettingsTests
{
    [Fact]
    public void No_proxy_variable_means_no_settings()
    {
        Assert.Null(ProxySettings.FromEnvironment(name => name == "NO_PROXY" ? "example.com" : null));
    }

    [Fact]
    public void The_scheme_of_the_destination_picks_the_proxy_and_upper_case_wins()
    {
        var settings = Settings(new()
        {
            ["HTTP_PROXY"] = "http://plain.proxy:3128",
            ["https_proxy"] = "secure.proxy:8080",
            ["HTTPS_PROXY"] = "",
        })!;

        Assert.Equal(new Uri("http://plain.proxy:3128"), settings.ProxyFor(new Uri("http://registry.example.com/v2/"))?.Address);
        Assert.Equal(new Uri("http://secure.proxy:8080"), settings.ProxyFor(new Uri("https://registry.example.com/v2/"))?.Address);
    }

    [Theory]
    [InlineData("https://localhost:5000/v2/")]
    [InlineData("https://127.0.0.1:5000/v2/")]
    [InlineData("https://127.9.9.9/v2/")]
    [InlineData("https://[::1]:5000/v2/")]
    public void Loopback_is_never_proxied(string destination) =>
        Assert.Null(Settings(new() { ["HTTPS_PROXY"] = "http://proxy:3128" })!.ProxyFor(new Uri(destination)));

    [Theory]
    [InlineData("*", "https://anything.example.com/", true)]
    [InlineData("example.com", "https://example.com/", true)]
    [InlineData("example.com", "https://registry.example.com/", true)]
    [InlineData("example.com", "https://notexample.com/", false)]
    [InlineData(".example.com", "https://example.com/", false)]
    [InlineData(".example.com", "https://registry.example.com/", true)]
    [InlineData("*.example.com", "https://registry.example.com/", true)]
    [InlineData("registry.example.com:5000", "https://registry.example.com:5000/", true)]
    [InlineData("registry.example.com:5000", "https://registry.example.com/", false)]
    [InlineData("198.51.100.0/24", "https://198.51.100.7:5000/", true)]
    [InlineData("198.51.100.0/24", "https://198.51.101.7/", false)]
    [InlineData("203.0.113.7", "https://203.0.113.7:5000/", true)]
    [InlineData("fd00::/8", "https://[fd00::5]/", true)]
    [InlineData("[fd00::5]:443", "https://[fd00::5]/", true)]
    [InlineData("Registry.Example.COM", "https://registry.example.com/", true)]
    public void NO_PROXY_entries_match_as_Go_matches_them(string entry, string destination, bool bypassed)
    {
        var settings = Settings(new() { ["HTTPS_PROXY"] = "http://proxy:3128", ["no_proxy"] = $"other.example.org, {entry}" })!;

        Assert.Equal(bypassed, settings.ProxyFor(new Uri(destination)) is null);
    }

    [Fact]
    public void A_malformed_proxy_is_an_error_naming_the_variable_but_not_its_value()
    {
        var error = Assert.Throws<FormatException>(() => Settings(new() { ["HTTPS_PROXY"] = "ftp://user:secret-pw@proxy" }));

        Assert.Contains("HTTPS_PROXY", error.Message);
        Assert.DoesNotContain("secret-pw", error.Message);
    }

    [Fact]
    public void Each_proxy_answers_with_its_own_credentials()
    {
        var proxy = new SettingsWebProxy(Settings(new() { ["HTTP_PROXY"] = "http://alice:p%40ss@one:3128", ["HTTPS_PROXY"] = "http://bob:pw@two:3128" })!);

        var one = proxy.Credentials!.GetCredential(new Uri("http://one:3128"), "Basic");
        var two = proxy.Credentials!.GetCredential(new Uri("http://two:3128"), "Basic");

        Assert.Equal(("alice", "p@ss"), (one?.UserName, one?.Password));
        Assert.Equal("bob", two?.UserName);
        Assert.Null(proxy.Credentials!.GetCredential(new Uri("http://three:3128"), "Basic"));
        Assert.True(proxy.IsBypassed(new Uri("https://127.0.0.1/")));
        Assert.Equal(new Uri("http://two:3128"), proxy.GetProxy(new Uri("https://registry.example.com/")));
    }

    [Fact]
    public void Printing_the_settings_never_shows_a_proxy_password()
    {
        var settings = Settings(new() { ["HTTPS_PROXY"] = "http://alice:secret-pw@proxy:3128" })!;

        Assert.DoesNotContain("secret-pw", settings.ToString());
        Assert.DoesNotContain("secret-pw", new RegistryTransportOptions { Proxy = settings }.ToString());
    }

    private static ProxySettings? Settings(Dictionary<string, string> variables) => ProxySettings.FromEnvironment(variables.GetValueOrDefault);
}
