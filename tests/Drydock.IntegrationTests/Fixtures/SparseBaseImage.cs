using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Drydock.Reference;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>The sparse base image's OCI layout, the files its layers were made from, and its layer digests.</summary>
public sealed record SparseBase(string Layout, string LastlogSource, string SmallSource, IReadOnlyList<string> LayerDigests);

/// <summary>
/// A base image whose layers GNU tar itself wrote with sparse files, kept byte for byte: layer 1 in
/// the old GNU format (type 'S' entries, the map continued in extension blocks) holds the busybox
/// rootfs and <see cref="LastlogPath"/>, 64 GiB apparent with 24 KiB of data; layer 2, PAX 0.0,
/// holds <see cref="SmallPath"/>, small enough to be copied whole. Assembled with
/// <see cref="OciLayout"/> (umoci repack would rewrite the layers dense), pushed with skopeo.
/// </summary>
public static class SparseBaseImage
{
    public const string LastlogPath = "/var/log/lastlog";
    public const long LastlogSize = 64L << 30;
    public const string SmallPath = "/opt/sparse/small";
    public const long SmallSize = 8L << 20;

    /// <summary>The length of each of lastlog's data segments, one 4 KiB block.</summary>
    public const int LastlogSegmentLength = 4096;

    private const string Tag = "sparse";
    private const int SmallSegmentLength = 3_000;

    /// <summary>
    /// Where lastlog's data segments start, block-aligned: six, so the old GNU map spills past the
    /// header's four slots, and past 8 GiB, where tar's octal fields end and base-256 numbers begin.
    /// </summary>
    public static IReadOnlyList<long> LastlogSegments { get; } = [0, 1L << 30, 9L << 30, (20L << 30) + 12_288, 40L << 30, LastlogSize - LastlogSegmentLength];

    // Six too, for a PAX 0.0 map of several offset/numbytes pairs.
    private static readonly long[] SmallSegments = [0, 100_000, 1_000_000, 3_000_000, 5_000_000, SmallSize - SmallSegmentLength];

    private static readonly Lazy<Task<SparseBase>> Built = new(BuildAsync);
    private static readonly ConcurrentDictionary<string, Lazy<Task<SeededImage>>> Seeded = new();

    /// <summary>The layout (built on first use, deleted when the test process exits).</summary>
    public static Task<SparseBase> LayoutAsync() => Built.Value;

    /// <summary>Copies the image into <paramref name="server"/> with skopeo, once per server per run.</summary>
    public static Task<SeededImage> SeedAsync(RegistryServer server) =>
        Seeded.GetOrAdd(server.Host, _ => new Lazy<Task<SeededImage>>(async () =>
            await BaseImages.CopyLayoutAsync(server, (await LayoutAsync()).Layout, Tag, "sparse-base", "latest"))).Value;

    private static async Task<SparseBase> BuildAsync()
    {
        var root = RunScratch.NewDirectory("sparse-base-");
        var random = new Random(64);

        var gnuRoot = root.Combine("gnu");
        await BaseImages.PopulateRootfsAsync(gnuRoot);
        var lastlog = Path.Combine(gnuRoot, LastlogPath.TrimStart('/'));
        await WriteSparseAsync(lastlog, LastlogSize, LastlogSegments, LastlogSegmentLength, random);

        var paxRoot = root.Combine("pax");
        var small = Path.Combine(paxRoot, SmallPath.TrimStart('/'));
        await WriteSparseAsync(small, SmallSize, SmallSegments, SmallSegmentLength, random);

        var layout = root.Combine("layout");
        await ToolRunner.RunCheckedAsync("umoci", ["init", "--layout", layout]);

        // GNU tar writes a sparse entry only where the filesystem reports holes: without one the
        // test would pass without testing anything.
        (string Root, string[] Format, Func<byte[], bool> IsSparse)[] layers =
        [
            (gnuRoot, ["--format=gnu"], HasExtendedOldGnuEntry),
            (paxRoot, ["--format=posix", "--sparse-version=0.0"], tar => tar.AsSpan().IndexOf("GNU.sparse.offset="u8) >= 0),
        ];
        var descriptors = new List<JsonNode>();
        var diffIds = new JsonArray();
        var history = new JsonArray();
        foreach (var (source, format, isSparse) in layers)
        {
            var tar = source + ".tar";
            await ToolRunner.RunCheckedAsync("tar", [.. format, "--sparse", "--numeric-owner", "--sort=name", "-C", source, "-cf", tar, "."]);
            if (!isSparse(await File.ReadAllBytesAsync(tar)))
            {
                throw new InvalidOperationException($"GNU tar {string.Join(' ', format)} wrote no sparse entry: does {root} keep holes?");
            }

            var (descriptor, diffId) = await OciLayout.WriteGzipLayerAsync(layout, tar);
            File.Delete(tar);
            descriptors.Add(descriptor);
            diffIds.Add(diffId);
            history.Add(new JsonObject { ["created_by"] = $"GNU tar {string.Join(' ', format)} --sparse" });
        }

        var config = new JsonObject
        {
            ["architecture"] = Platform.Host.Architecture,
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                ["Cmd"] = new JsonArray("sh"),
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
            ["history"] = history,
        };
        await OciLayout.WriteImageAsync(layout, Tag, config, descriptors);
        return new SparseBase(layout, lastlog, small, [.. descriptors.Select(d => d["digest"]!.GetValue<string>())]);
    }

    // Holes wherever nothing is written: SetLength only moves the end of the file.
    private static async Task WriteSparseAsync(string path, long size, IEnumerable<long> offsets, int length, Random random)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        file.SetLength(size);
        var data = new byte[length];
        foreach (var offset in offsets)
        {
            random.NextBytes(data);
            file.Position = offset;
            await file.WriteAsync(data);
        }
    }

    // Type 'S' with the "is extended" flag: the map goes on past the header's four slots.
    private static bool HasExtendedOldGnuEntry(byte[] tar) =>
        Enumerable.Range(0, tar.Length / 512).Any(block => tar[(block * 512) + 156] == (byte)'S' && tar[(block * 512) + 482] == 1);
}
