using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Drydock.Bench;
using Drydock.Oci;

// drydock-bench [snapshot|layer|push|sources|cache|all|micro] [--dir DIR] [--files N] [--gib N] [--compression gzip|zstd|none]
//               [--mib N] [--data random|text] [--runs N]
var command = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var directory = Option("--dir") ?? Path.Combine(Path.GetTempPath(), "drydock-bench");
var files = int.Parse(Option("--files") ?? "100000", CultureInfo.InvariantCulture);
var gib = double.Parse(Option("--gib") ?? "2", CultureInfo.InvariantCulture);
var runs = int.Parse(Option("--runs") ?? "3", CultureInfo.InvariantCulture);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

switch (command)
{
    case "snapshot":
        await SnapshotBench.RunAsync(Path.Combine(directory, "snapshot"), files, cancel.Token);
        break;
    case "layer":
        var compression = Enum.Parse<LayerCompression>(Option("--compression") ?? "gzip", ignoreCase: true);
        await LayerBench.RunAsync(Path.Combine(directory, "layer"), (long)(gib * (1L << 30)), compression, cancel.Token);
        break;
    case "push":
        var mib = double.Parse(Option("--mib") ?? "512", CultureInfo.InvariantCulture);
        var data = Enum.Parse<LayerData>(Option("--data") ?? "random", ignoreCase: true);
        await PushBench.RunAsync(Path.Combine(directory, "push"), (long)(mib * (1 << 20)), data, runs, cancel.Token);
        break;
    case "sources":
        var sourceFiles = int.Parse(Option("--files") ?? "10000", CultureInfo.InvariantCulture);
        var largeMib = double.Parse(Option("--mib") ?? "384", CultureInfo.InvariantCulture);
        await SourceDigestBench.RunAsync(Path.Combine(directory, "sources"), sourceFiles, (long)(largeMib * (1 << 20)), cancel.Token);
        break;
    case "cache":
        await CacheBench.RunAsync(Path.Combine(directory, "cache"), runs, cancel.Token);
        break;
    case "all":
        // Each figure in its own process: peak working set is a high-water mark per process.
        Run("snapshot");
        Run("sources");
        foreach (var codec in new[] { "none", "zstd", "gzip" })
        {
            Run("layer", "--compression", codec);
        }

        foreach (var kind in new[] { "random", "text" })
        {
            Run("push", "--data", kind);
        }

        Run("cache");

        break;
    case "micro":
        BenchmarkRunner.Run<CompressionBenchmarks>();
        break;
    default:
        Console.Error.WriteLine($"unknown command '{command}': use snapshot, layer, push, sources, cache, all or micro");
        return 2;
}

return 0;

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

void Run(params string[] arguments)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
    foreach (var argument in arguments.Concat(args.SkipWhile(a => !a.StartsWith("--", StringComparison.Ordinal))))
    {
        start.ArgumentList.Add(argument);
    }

    using var process = Process.Start(start)!;
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{string.Join(' ', arguments)} exited {process.ExitCode}");
    }
}
