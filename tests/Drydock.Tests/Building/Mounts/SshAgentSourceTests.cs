using Drydock.Building.Mounts;

namespace Drydock.Tests.Building.Mounts;

public sealed class SshAgentSourceTests
{
    [Fact]
    public void A_key_file_is_not_an_agent()
    {
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<IOException>(() => new SshAgentSource("default", file).Socket());

            Assert.Contains("is not a socket", error.Message);
            Assert.Contains("ssh-add", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
