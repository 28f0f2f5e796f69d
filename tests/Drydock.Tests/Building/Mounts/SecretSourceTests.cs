using Drydock.Building.Mounts;

namespace Drydock.Tests.Building.Mounts;

public sealed class SecretSourceTests
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
        var secret = SecretSource.Parse(text, NoVariables);

        Assert.Equal((id, file, variable), (secret.Id, secret.FilePath, secret.EnvironmentVariable));
    }

    [Fact]
    public void A_bare_id_is_the_variable_of_that_name_when_it_is_set()
    {
        var secret = SecretSource.Parse("id=TOKEN", name => name == "TOKEN" ? "x" : null);

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
        var error = Assert.Throws<ArgumentException>(() => SecretSource.Parse(text, NoVariables));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_the_file_or_the_variable_and_refuses_what_is_too_large()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "value");
            Assert.Equal("value"u8.ToArray(), await SecretSource.FromFile("f", file).ReadAsync(Environment.GetEnvironmentVariable, CancellationToken.None));

            await File.WriteAllBytesAsync(file, new byte[SecretSource.MaxBytes + 1]);
            await Assert.ThrowsAsync<IOException>(() => SecretSource.FromFile("f", file).ReadAsync(Environment.GetEnvironmentVariable, CancellationToken.None));
        }
        finally
        {
            File.Delete(file);
        }

        await Assert.ThrowsAsync<IOException>(() => SecretSource.FromFile("f", file).ReadAsync(Environment.GetEnvironmentVariable, CancellationToken.None));
        Assert.Null(await SecretSource.FromEnvironment("e", "DRYDOCK_TEST_SURELY_UNSET_" + Guid.NewGuid().ToString("N")).ReadAsync(Environment.GetEnvironmentVariable, CancellationToken.None));
    }
}
