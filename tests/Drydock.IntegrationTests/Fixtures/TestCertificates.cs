namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// Throwaway certificates made by openssl for the tests' TLS servers: a CA (ca.crt, ca.key), a
/// server certificate it signs for localhost, 127.0.0.1 and registry.test (server.crt,
/// server.key), and on request a client certificate (client.crt, client.key). EC P-256, valid
/// three days; nothing is trusted beyond the test that names ca.crt.
/// </summary>
internal static class TestCertificates
{
    /// <summary>Writes the CA and the server certificate into <paramref name="directory"/> (created).</summary>
    public static async Task CreateServerAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        string P(string name) => Path.Combine(directory, name);
        await ToolRunner.RunCheckedAsync("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", P("ca.key"), "-out", P("ca.crt"), "-days", "3", "-subj", "/CN=Drydock Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        await SignAsync(directory, "server", "/CN=localhost",
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,DNS:registry.test\n");
    }

    /// <summary>Writes a client certificate signed by the CA of <see cref="CreateServerAsync"/> in the same directory.</summary>
    public static Task CreateClientAsync(string directory) =>
        SignAsync(directory, "client", "/CN=drydock-test-client", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n");

    private static async Task SignAsync(string directory, string name, string subject, string extensions)
    {
        string P(string file) => Path.Combine(directory, file);
        await ToolRunner.RunCheckedAsync("openssl", [
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", P(name + ".key"), "-out", P(name + ".csr"), "-subj", subject]);
        await File.WriteAllTextAsync(P(name + ".ext"), extensions);
        await ToolRunner.RunCheckedAsync("openssl", [
            "x509", "-req", "-in", P(name + ".csr"), "-CA", P("ca.crt"), "-CAkey", P("ca.key"), "-CAcreateserial",
            "-out", P(name + ".crt"), "-days", "3", "-extfile", P(name + ".ext")]);
    }
}
