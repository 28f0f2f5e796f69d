using Drydock.Reference;
using Drydock.Sandbox;

namespace Drydock.Building.Steps;

/// <summary>What to say when the kernel cannot execute a RUN's program: for a foreign platform, how to get QEMU to run it.</summary>
internal static class ExecFormatAdvice
{
    public static string Explain(ExecFormatException e, Platform target) =>
        target.Os == Platform.Host.Os && target.Architecture == Platform.Host.Architecture
            ? $"{e.Message}: the kernel cannot run it (a script without #!, or a binary built for another CPU)"
            : $"{e.Message}: this machine ({Platform.Host}) cannot run {target} programs without emulation. "
              + $"Install qemu-user-static and binfmt-support and enable the emulator with `update-binfmts --enable qemu-{QemuName(target.Architecture)}` "
              + "(its F flag lets it work inside the build's chroot; binfmt_misc must be mounted at /proc/sys/fs/binfmt_misc)";

    /// <summary>QEMU's name for an architecture (that of its binfmt entry and qemu-ARCH-static binary).</summary>
    public static string QemuName(string architecture) => architecture switch
    {
        "amd64" => "x86_64",
        "arm64" => "aarch64",
        "386" => "i386",
        "mips64le" => "mips64el",
        "loong64" => "loongarch64",
        _ => architecture,
    };
}
