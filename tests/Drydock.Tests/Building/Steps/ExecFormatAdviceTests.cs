using Drydock.Building.Steps;
using Drydock.Building;
using Drydock.Reference;
using Drydock.Sandbox;

namespace Drydock.Tests.Building.Steps;

public sealed class ExecFormatAdviceTests
{
    [Theory]
    [InlineData("amd64", "x86_64")]
    [InlineData("arm64", "aarch64")]
    [InlineData("arm", "arm")]
    [InlineData("386", "i386")]
    [InlineData("riscv64", "riscv64")]
    [InlineData("s390x", "s390x")]
    [InlineData("mips64le", "mips64el")]
    public void Names_the_binfmt_entry_of_QEMU_for_the_architecture(string architecture, string qemu) =>
        Assert.Equal(qemu, ExecFormatAdvice.QemuName(architecture));

    [Fact]
    public void A_foreign_platform_is_told_how_to_enable_emulation()
    {
        var foreign = Platform.Host.Architecture == "s390x" ? Platform.Create("linux", "riscv64") : Platform.Create("linux", "s390x");
        var message = ExecFormatAdvice.Explain(new ExecFormatException("/bin/sh"), foreign);
        Assert.StartsWith("exec \"/bin/sh\": exec format error: ", message, StringComparison.Ordinal);
        Assert.Contains($"cannot run {foreign} programs", message, StringComparison.Ordinal);
        Assert.Contains("qemu-user-static and binfmt-support", message, StringComparison.Ordinal);
        Assert.Contains($"update-binfmts --enable qemu-{foreign.Architecture}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_host_platform_is_not_sent_to_QEMU()
    {
        var message = ExecFormatAdvice.Explain(new ExecFormatException("/run.sh"), Platform.Host);
        Assert.Contains("a script without #!", message, StringComparison.Ordinal);
        Assert.DoesNotContain("qemu", message, StringComparison.Ordinal);
    }
}
