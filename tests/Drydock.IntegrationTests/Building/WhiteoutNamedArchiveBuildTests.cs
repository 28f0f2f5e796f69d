using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// Entries named like whiteouts (<c>.wh.NAME</c>, <c>.wh..wh..opq</c>) mean something only in an
/// image layer: in ADD's archives and in tar contexts they are plain files, as BuildKit's untar
/// (moby/go-archive's Unpack, with no whiteout conversion) and GNU tar leave them, and they delete
/// nothing. Each build is compared with one that copies the tree GNU tar extracted from the same
/// archive: the same layers (ADD) or image (a tar context) with --reproducible.
/// </summary>
public sealed class WhiteoutNamedArchiveBuildTests : IDisposable
{
    private readonly ContextSourceBuild _build = new("drydock-whnames-");

    public void Dispose() => _build.Dispose();

    [RootFact]
    public async Task Add_keeps_whiteout_names_as_files_over_what_lies_below()
    {
        var context = _build.SampleDirectory("add-context", ("base/foo", "foo\n", false), ("base/keep/k", "k\n", false));
        await ArchiveAsync(Path.Combine(context, "a.tar"), Path.Combine(context, "gnu"));
        var add = WriteDockerfile("Dockerfile.add", "FROM scratch\nCOPY base/ /x/\nADD a.tar /x/\n");
        var copy = WriteDockerfile("Dockerfile.copy", "FROM scratch\nCOPY base/ /x/\nCOPY gnu/ /x/\n");

        // The layers, not the image: the history names each instruction.
        Assert.Equal(await DiffIdsAsync(context, copy), await DiffIdsAsync(context, add));
    }

    [RootFact]
    public async Task A_tar_context_keeps_whiteout_names_as_files()
    {
        var archive = _build.Combine("context.tar");
        var gnu = _build.Combine("gnu-context");
        await ArchiveAsync(archive, gnu);
        var copyAll = WriteDockerfile("Dockerfile.all", ContextSourceBuild.CopyAll);

        Assert.Equal(
            await ContextSourceBuild.DigestAsync(["--context", gnu, "--dockerfile", copyAll]),
            await ContextSourceBuild.DigestAsync(["--context", "tar://" + archive, "--dockerfile", copyAll]));
    }

    // GNU tar's archive of files named like whiteouts (of foo, of keep/k, an opaque marker), and
    // GNU tar's own extraction of it into extracted.
    private async Task ArchiveAsync(string archive, string extracted)
    {
        var staging = _build.SampleDirectory(
            "staging",
            (".wh.foo", "a file, not a whiteout\n", false),
            ("keep/.wh..wh..opq", "", false),
            ("keep/.wh.k", "k2\n", false),
            ("new.txt", "new\n", false));
        await ToolRunner.RunCheckedAsync("tar", ["-C", staging, "--owner=0", "--group=0", "--numeric-owner", "-cf", archive, ".wh.foo", "keep", "new.txt"]);
        Directory.CreateDirectory(extracted);
        await ToolRunner.RunCheckedAsync("tar", ["-C", extracted, "--same-owner", "--same-permissions", "-xf", archive]);
        File.SetUnixFileMode(extracted, ContextDirectory.Mode755);
    }

    // The diff_ids of the image a reproducible build writes to an OCI layout.
    private async Task<string> DiffIdsAsync(string context, string dockerfile)
    {
        var layout = _build.Combine(Path.GetFileName(dockerfile) + "-layout");
        await ContextSourceBuild.DigestAsync(["--context", context, "--dockerfile", dockerfile, "--oci-layout-path", layout]);
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!;
        var manifest = await OciLayout.ReadJsonAsync(layout, (string)index["manifests"]![0]!["digest"]!);
        var config = await OciLayout.ReadJsonAsync(layout, (string)manifest["config"]!["digest"]!);
        return config["rootfs"]!["diff_ids"]!.ToJsonString();
    }

    private string WriteDockerfile(string name, string content)
    {
        var path = _build.Combine(name);
        File.WriteAllText(path, content);
        return path;
    }
}
