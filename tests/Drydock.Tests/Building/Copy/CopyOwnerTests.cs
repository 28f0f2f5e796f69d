using System.Runtime.Versioning;
using Drydock.Building.Copy;
using Drydock.Tests.Sandbox;

namespace Drydock.Tests.Building.Copy;

[SupportedOSPlatform("linux")]
public sealed class CopyOwnerTests : IDisposable
{
    private readonly BusyboxRootfs _rootfs = new();

    public CopyOwnerTests() =>
        File.AppendAllText(_rootfs.Combine("etc/passwd"), "web:x:33:44::/var/www:/bin/sh\n");

    public void Dispose() => _rootfs.Dispose();

    // BuildKit's llb.WithUser as its file operations resolve it (solver/llbsolver/ops/user_linux.go readUser).
    [Theory]
    [InlineData(null, 0u, 0u)]
    [InlineData("", 0u, 0u)]
    [InlineData("root", 0u, 0u)]
    [InlineData("web", 33u, 44u)]
    [InlineData("33", 33u, 33u)]
    [InlineData("4242", 4242u, 4242u)]
    [InlineData("app:extra", 1000u, 2000u)]
    [InlineData("app:4242", 1000u, 4242u)]
    [InlineData("4242:extra", 4242u, 2000u)]
    [InlineData("web:nosuchgroup", 33u, 44u)]
    [InlineData("ghost", 0u, 0u)]
    [InlineData("ghost:extra", 0u, 2000u)]
    public void A_user_value_owns_what_buildkit_s_mkdir_creates(string? user, uint uid, uint gid)
    {
        Assert.Equal(new CopyOwner(uid, gid), CopyOwner.ForUser(_rootfs.Path, user));
    }
}
