using Drydock.Building.Mounts;

namespace Drydock.Tests.Building.Mounts;

public sealed class SecretSourceTests
{
    // The reader is given the environment: an env= secret reads only what it is handed.
    private static readonly Func<string, string?> Variables = name => name == "SET" ? "from-env" : null;

    [Fact]
    public async Task Reads_the_file_or_the_variable_and_refuses_what_is_too_large()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "value");
            Assert.Equal("value"u8.ToArray(), await SecretSource.FromFile("f", file).ReadAsync(Variables, CancellationToken.None));

            await File.WriteAllBytesAsync(file, new byte[SecretSource.MaxBytes + 1]);
            await Assert.ThrowsAsync<IOException>(() => SecretSource.FromFile("f", file).ReadAsync(Variables, CancellationToken.None));
        }
        finally
        {
            File.Delete(file);
        }

        await Assert.ThrowsAsync<IOException>(() => SecretSource.FromFile("f", file).ReadAsync(Variables, CancellationToken.None));
        Assert.Null(await SecretSource.FromEnvironment("e", "DRYDOCK_TEST_SURELY_UNSET_" + Guid.NewGuid().ToString("N")).ReadAsync(Variables, CancellationToken.None));
        Assert.Equal("from-env"u8.ToArray(), await SecretSource.FromEnvironment("e", "SET").ReadAsync(Variables, CancellationToken.None));
    }
}
