using Drydock.Native;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// COPY keeps hardlinks and extended attributes end to end, from the build context and from a
/// builder stage (links made by <c>RUN ln</c>, a capability set on a binary): GNU tar sees one file
/// and hardlink entries in the layer, and the image umoci unpacks has the shared inodes and the
/// <c>user.*</c> and <c>security.capability</c> attributes.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class CopyLinksBuildTests(HttpRegistry server) : IDisposable
{
    private const string Capability = "security.capability";

    // cap_net_raw+ep, as `setcap cap_net_raw+ep` writes it (VFS_CAP_REVISION_2).
    private static readonly byte[] NetRaw = [0x01, 0, 0, 0x02, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] Origin = "context"u8.ToArray();

    private readonly CopyBuild _build = new();

    public void Dispose() => _build.Dispose();

    [RootTheory]
    [InlineData("walk")]
    [InlineData("overlay")]
    public async Task Hardlinks_and_xattrs_survive_copy_from_the_context_and_from_a_stage(string snapshotter)
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var a = _build.File("tree/a", "linked");
        NativeFiles.Link(a, Path.Combine(_build.Context, "tree/b"));
        NativeFiles.SetXattr(a, "user.origin", Origin);
        NativeFiles.SetXattr(Path.GetDirectoryName(_build.File("tree/sub/c", "c"))!, "user.origin", Origin);
        var tool = _build.File("tool", "#!/bin/sh\n", (UnixFileMode)0b111_101_101);
        NativeFiles.SetXattr(tool, Capability, NetRaw);

        await _build.BuildAndUnpackAsync(
            """
            ARG BASE
            FROM ${BASE} AS builder
            COPY tool /opt/tool
            RUN mkdir -p /out/sub && echo built > /out/x && ln /out/x /out/sub/y

            FROM scratch
            COPY tree /tree/
            COPY --from=builder /out /out/
            COPY --from=builder --chown=1000:1000 /opt/tool /bin/tool
            """,
            "--snapshotter", snapshotter, "--insecure-pull", "--build-arg", $"BASE={seeded.Reference}");

        AssertLinked("/tree/a", "/tree/b");
        AssertLinked("/out/x", "/out/sub/y");
        Assert.Equal("built\n", _build.Read("/out/sub/y"));
        Assert.Equal(Origin, NativeFiles.GetXattr(_build.Image("/tree/a"), "user.origin"));
        Assert.Equal(Origin, NativeFiles.GetXattr(_build.Image("/tree/sub"), "user.origin"));
        Assert.Equal(NetRaw, NativeFiles.GetXattr(_build.Image("/bin/tool"), Capability));
        Assert.Equal("1000:1000", _build.Owner("/bin/tool"));

        // One file and one hardlink entry per pair (to the name the layer holds first): the content is in the layer once.
        var layers = await _build.LayerListingsAsync();
        Assert.Equal(3, layers.Count);
        Assert.Matches(@"(?m)^h.* tree/b link to tree/a$", layers[0]);
        Assert.Matches(@"(?m)^h.* out/x link to out/sub/y$", layers[1]);
    }

    private void AssertLinked(string first, string second)
    {
        var status = NativeFiles.Lstat(_build.Image(first));
        Assert.Equal(status.Inode, NativeFiles.Lstat(_build.Image(second)).Inode);
        Assert.Equal(2u, status.LinkCount);
    }
}
