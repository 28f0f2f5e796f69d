namespace Drydock.IntegrationTests.Layers;

/// <summary>
/// Drydock's images against buildah's for the same Dockerfiles, compared entry by entry after
/// umoci unpacked both. A difference either is a bug or is listed here as deliberate, with why.
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class DifferentialTests(DifferentialBuilds builds)
{
    /// <summary>
    /// Deliberate: buildah 1.28 (chroot isolation) leaves in the image the empty mount points it
    /// made for RUN (/dev, /proc, /sys, /run, and /etc with empty hostname, hosts and resolv.conf).
    /// Drydock's sandbox removes the mount points it created, as BuildKit does: they are the
    /// runtime's, not the image's, and a runtime makes its own. Only their absence from Drydock's
    /// image is accepted; a path Drydock has must match buildah's exactly.
    /// </summary>
    internal static readonly HashSet<string> BuildahMountPoints = new(StringComparer.Ordinal)
    {
        "/dev", "/proc", "/sys", "/run", "/etc", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf",
    };

    [RootTheory]
    [InlineData(DifferentialDockerfiles.Changes)]
    [InlineData(DifferentialDockerfiles.Big)]
    public async Task Drydock_and_buildah_build_the_same_file_system(string dockerfile)
    {
        var (drydock, buildah) = await builds.RootfsAsync(dockerfile);

        var differences = RootfsListing.Differences(RootfsListing.Of(drydock), RootfsListing.Of(buildah), "drydock", "buildah")
            .Where(d => !(d.StartsWith(RootfsListing.OnlyIn("buildah"), StringComparison.Ordinal) && BuildahMountPoints.Contains(d.Split(' ')[2])))
            .ToList();

        Assert.True(differences.Count == 0, string.Join('\n', differences));
    }

    [RootFact]
    public async Task The_comparison_sees_the_cases_it_is_meant_to_check()
    {
        var (drydock, _) = await builds.RootfsAsync(DifferentialDockerfiles.Changes);
        var listing = RootfsListing.Of(drydock);

        Assert.DoesNotContain("/data/keep/file", listing.Keys);
        Assert.DoesNotContain("/data/gone-tree", listing.Keys);
        Assert.StartsWith("RegularFile", listing["/data/replace-dir"], StringComparison.Ordinal);
        Assert.Contains("links=/data/hl-a,/data/hl-b", listing["/data/hl-a"], StringComparison.Ordinal);
        Assert.Contains("links=/data/link-across,/data/link-target", listing["/data/link-across"], StringComparison.Ordinal);
        Assert.Contains("owner=1000:1000", listing["/data/link-target"], StringComparison.Ordinal);
        Assert.Contains("mode=4755", listing["/data/setuid"], StringComparison.Ordinal);
        Assert.Contains("mode=1777", listing["/data/sticky"], StringComparison.Ordinal);
        Assert.Contains("target=/nowhere", listing["/data/dangling-link"], StringComparison.Ordinal);
        Assert.Contains(listing.Keys, p => p.Length > 210);
    }
}
