using Drydock.Registry.Transport;

namespace Drydock.Tests.Registry.Transport;

public sealed class RegistryTransportOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:5000", "127.0.0.1:5000", true)]
    [InlineData("127.0.0.1", "127.0.0.1:5000", true)]
    [InlineData("127.0.0.1:5000", "127.0.0.1:5001", false)]
    [InlineData("127.0.0.1:5000", "127.0.0.1", false)]
    [InlineData("My.Registry", "my.registry", true)]
    [InlineData("index.docker.io", "docker.io", true)]
    [InlineData("docker.io", "registry-1.docker.io", true)]
    [InlineData("http://my.registry:5000/v2/", "my.registry:5000", true)]
    [InlineData("[::1]", "[::1]:5000", true)]
    public void Matches_hosts_with_and_without_ports(string entry, string registry, bool matches) =>
        Assert.Equal(matches, RegistryTransportOptions.HostMatches(entry, registry));

    [Fact]
    public void Insecure_and_skip_verify_apply_globally_or_per_host()
    {
        var perHost = new RegistryTransportOptions { InsecureRegistries = ["a:5000"], SkipTlsVerifyRegistries = ["b"] };
        var global = new RegistryTransportOptions { Insecure = true, SkipTlsVerify = true };

        Assert.True(perHost.IsInsecure("a:5000"));
        Assert.False(perHost.IsInsecure("b:5000"));
        Assert.True(perHost.SkipsTlsVerify("b:443"));
        Assert.False(perHost.SkipsTlsVerify("a:5000"));
        Assert.True(global.IsInsecure("anything"));
        Assert.True(global.SkipsTlsVerify("anything"));
    }

    [Fact]
    public void Registry_certificates_accumulate_per_host()
    {
        var options = new RegistryTransportOptions()
            .WithRegistryCertificate("reg:5000", "/a.crt")
            .WithRegistryCertificate("REG:5000", "/b.crt")
            .WithRegistryCertificate("other", "/c.crt");

        Assert.Equal(["/a.crt", "/b.crt"], options.CertificatesFor("reg:5000"));
        Assert.Equal(["/c.crt"], options.CertificatesFor("other:443"));
        Assert.Empty(options.CertificatesFor("third"));
    }

    [Fact]
    public void Parses_host_equals_path_flags()
    {
        Assert.Equal(("my.registry:5000", "/certs/ca.crt"), RegistryTransportOptions.ParseHostPath("my.registry:5000=/certs/ca.crt"));
        Assert.Throws<FormatException>(() => RegistryTransportOptions.ParseHostPath("/certs/ca.crt"));
        Assert.Throws<FormatException>(() => RegistryTransportOptions.ParseHostPath("host="));
        Assert.Throws<FormatException>(() => RegistryTransportOptions.ParseHostPath("=/x"));
    }

    [Fact]
    public void The_scheme_follows_the_insecure_options()
    {
        using var transport = new RegistryTransport(new RegistryTransportOptions { InsecureRegistries = ["127.0.0.1:5000"] });

        Assert.Equal(new Uri("http://127.0.0.1:5000/"), transport.BaseUri("127.0.0.1:5000"));
        Assert.Equal(new Uri("https://registry-1.docker.io/"), transport.BaseUri("docker.io"));
        Assert.Equal(new Uri("https://ghcr.io/"), transport.BaseUri("ghcr.io"));
    }

    [Fact]
    public void An_unreadable_CA_file_is_a_clear_error()
    {
        using var transport = new RegistryTransport(new RegistryTransportOptions().WithRegistryCertificate("h:1", "/nonexistent/ca.crt"));

        var error = Assert.Throws<InvalidOperationException>(() => transport.HandlerFor("h:1"));

        Assert.Contains("/nonexistent/ca.crt", error.Message);
        Assert.Contains("h:1", error.Message);
    }
}
