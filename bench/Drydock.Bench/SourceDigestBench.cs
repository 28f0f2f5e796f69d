using System.Diagnostics;
using Drydock.Building.Caching;
using Drydock.Context;
using Drydock.Dockerfile;

namespace Drydock.Bench;

/// <summary>
/// The cost of a COPY's cache key sources: digesting a context of many small files and a few
/// large ones, first by reading everything, then again in the same build, where the memo
/// (path, size, mtime, inode) spares every read.
/// </summary>
internal static class SourceDigestBench
{
    private const int FilesPerDirectory = 100;
    private const int LargeFiles = 3;

    public static async Task RunAsync(string directory, int files, long largeBytes, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var context = Path.Combine(directory, "context");
        MakeContext(context, files, largeBytes);
        var copy = (CopyInstruction)DockerfileParser.Parse("FROM scratch\nCOPY . /app/").Stages.Single().Instructions.Single();
        var source = new FileSource(context, DockerIgnore.Empty);
        Console.WriteLine(
            $"context: {files:N0} small files + {LargeFiles} files of {largeBytes / LargeFiles >> 20:N0} MiB ({Environment.ProcessorCount} cores; files just written, so in the page cache)");
        Console.WriteLine("run                          entries  files read  seconds  peak working set (MiB)");

        var digester = new SourceDigester();
        await MeasureAsync("first (reads everything)", digester, copy, source, cancellationToken);
        await MeasureAsync("again, same build (memo)", digester, copy, source, cancellationToken);
        await MeasureAsync("new build (no memo)", new SourceDigester(), copy, source, cancellationToken);
        Directory.Delete(directory, recursive: true);
    }

    private static async Task MeasureAsync(string name, SourceDigester digester, CopyInstruction copy, IFileSource source, CancellationToken cancellationToken)
    {
        var readBefore = digester.FilesRead;
        using var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        var digest = await digester.DigestCopyAsync(copy, source, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        Console.WriteLine($"{name,-28} {digest.Files.Count,7:N0}  {digester.FilesRead - readBefore,10:N0}  {seconds,7:0.000}  {process.PeakWorkingSet64 >> 20,6:N0}");
    }

    private static void MakeContext(string context, int files, long largeBytes)
    {
        for (var i = 0; i < files; i++)
        {
            var dir = Path.Combine(context, "src", $"d{i / FilesPerDirectory:D4}");
            if (i % FilesPerDirectory == 0)
            {
                Directory.CreateDirectory(dir);
            }

            File.WriteAllText(Path.Combine(dir, $"f{i:D6}.c"), $"int f{i}(void) {{ return {i}; }}\n");
        }

        var block = new byte[1 << 20];
        Random.Shared.NextBytes(block);
        Directory.CreateDirectory(Path.Combine(context, "assets"));
        for (var i = 0; i < LargeFiles; i++)
        {
            using var file = File.Create(Path.Combine(context, "assets", $"large{i}.bin"));
            for (long written = 0; written < largeBytes / LargeFiles; written += block.Length)
            {
                file.Write(block);
            }
        }
    }
}
