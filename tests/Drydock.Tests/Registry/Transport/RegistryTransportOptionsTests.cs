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
    public void Per_host_entries_apply_both_ways()
    {
        var options = new RegistryTransportOptions { InsecureRegistries = ["a:5000"], SkipTlsVerifyRegistries = ["b"] };

        foreach (var direction in new[] { RegistryDirection.Pull, RegistryDirection.Push })
        {
            Assert.True(options.IsInsecure("a:5000", direction));
            Assert.False(options.IsInsecure("b:5000", direction));
            Assert.True(options.SkipsTlsVerify("b:443", direction));
            Assert.False(options.SkipsTlsVerify("a:5000", direction));
        }
    }

    [Fact]
    public void Kanikos_global_flags_are_per_direction()
    {
        var push = new RegistryTransportOptions { Insecure = true, SkipTlsVerify = true };
        var pull = new RegistryTransportOptions { InsecurePull = true, SkipTlsVerifyPull = true };

        Assert.True(push.IsInsecure("anything", RegistryDirection.Push));
        Assert.False(push.IsInsecure("anything", RegistryDirection.Pull));
        Assert.True(push.SkipsTlsVerifyEverywhere(RegistryDirection.Push));
        Assert.False(push.SkipsTlsVerify("anything", RegistryDirection.Pull));
        Assert.True(pull.IsInsecure("anything", RegistryDirection.Pull));
        Assert.False(pull.IsInsecure("anything", RegistryDirection.Push));
        Assert.True(pull.SkipsTlsVerify("anything", RegistryDirection.Pull));
        Assert.False(pull.SkipsTlsVerify("anything", RegistryDirection.Push));
    }

    [Fact]
    public void Push_flags_also_cover_pulls_from_the_registries_pushed_to()
    {
        var options = new RegistryTransportOptions { Insecure = true, SkipTlsVerify = true, PushRegistries = ["dest:5000"] };

        Assert.True(options.IsInsecure("dest:5000", RegistryDirection.Pull));
        Assert.True(options.SkipsTlsVerify("dest:5000", RegistryDirection.Pull));
        Assert.False(options.IsInsecure("docker.io", RegistryDirection.Pull));
        Assert.False(options.SkipsTlsVerify("docker.io", RegistryDirection.Pull));
        Assert.False(new RegistryTransportOptions { PushRegistries = ["dest:5000"] }.IsInsecure("dest:5000", RegistryDirection.Pull));
    }

    [Fact]
    public void Retries_are_per_direction()
    {
        var options = new RegistryTransportOptions { PullRetries = 1, PushRetries = 7 };

        Assert.Equal(1, options.RetriesFor(RegistryDirection.Pull));
        Assert.Equal(7, options.RetriesFor(RegistryDirection.Push));
    }

    [Fact]
    public void Client_certificates_match_hosts_and_an_exact_port_wins()
    {
        var options = new RegistryTransportOptions()
            .WithClientCertificate("reg", new ClientCertificate("/any.crt", "/any.key"))
            .WithClientCertificate("reg:5000", new ClientCertificate("/exact.crt", "/exact.key"));

        Assert.Equal("/exact.crt", options.ClientCertificateFor("reg:5000")?.CertificatePath);
        Assert.Equal("/any.crt", options.ClientCertificateFor("reg:6000")?.CertificatePath);
        Assert.Null(options.ClientCertificateFor("other:5000"));
    }

    [Fact]
    public void Parses_host_equals_cert_comma_key_flags()
    {
        Assert.Equal(("r:5000", new ClientCertificate("/c/client.crt", "/c/client.key")), RegistryTransportOptions.ParseClientCertificate("r:5000=/c/client.crt,/c/client.key"));
        Assert.Throws<FormatException>(() => RegistryTransportOptions.ParseClientCertificate("r:5000=/c/client.crt"));
        Assert.Throws<FormatException>(() => RegistryTransportOptions.ParseClientCertificate("r:5000=/c/client.crt,"));
        Assert.Throws<FormatException>(() => RegistryTransportOptions.ParseClientCertificate("/c/client.crt,/c/client.key"));
    }

    [Fact]
    public void An_unreadable_client_certificate_is_a_clear_error()
    {
        using var transport = new RegistryTransport(new RegistryTransportOptions().WithClientCertificate("h:1", new ClientCertificate("/nonexistent/c.crt", "/nonexistent/c.key")));

        var error = Assert.Throws<InvalidOperationException>(() => transport.HandlerFor("h:1", RegistryDirection.Push));

        Assert.Contains("/nonexistent/c.crt", error.Message);
        Assert.Contains("h:1", error.Message);
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
        using var transport = new RegistryTransport(new RegistryTransportOptions { InsecureRegistries = ["127.0.0.1:5000"], InsecurePull = false, Insecure = true });

        Assert.Equal(new Uri("http://127.0.0.1:5000/"), transport.BaseUri("127.0.0.1:5000", RegistryDirection.Pull));
        Assert.Equal(new Uri("https://registry-1.docker.io/"), transport.BaseUri("docker.io", RegistryDirection.Pull));
        Assert.Equal(new Uri("http://registry-1.docker.io/"), transport.BaseUri("docker.io", RegistryDirection.Push));
        Assert.Equal(new Uri("https://ghcr.io/"), transport.BaseUri("ghcr.io", RegistryDirection.Pull));
    }

    [Fact]
    public void An_unreadable_CA_file_is_a_clear_error()
    {
        using var transport = new RegistryTransport(new RegistryTransportOptions().WithRegistryCertificate("h:1", "/nonexistent/ca.crt"));

        var error = Assert.Throws<InvalidOperationException>(() => transport.HandlerFor("h:1", RegistryDirection.Pull));

        Assert.Contains("/nonexistent/ca.crt", error.Message);
        Assert.Contains("h:1", error.Message);
    }
}
