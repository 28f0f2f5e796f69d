using System.CommandLine;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Cli;

/// <summary>
/// `drydock image copy SRC DST`: copies an image, or an index with every platform it lists, from
/// one repository to another with every digest unchanged, and prints the digest copied.
/// </summary>
public static class ImageCopyCommand
{
    /// <param name="environment">Looks up an environment variable; the entry point passes the process's own.</param>
    public static Command Create(Func<string, string?> environment)
    {
        var source = new Argument<string>("SRC") { Description = "The image to copy: [REGISTRY/]REPOSITORY[:TAG][@DIGEST]." };
        var destination = new Argument<string>("DST") { Description = "Where to put it: [REGISTRY/]REPOSITORY[:TAG]." };
        var registry = new RegistryFlags(environment);
        var command = new Command("copy", "Copy an image (every platform of an index) to another repository or registry, digests unchanged.") { source, destination };
        registry.AddTo(command);
        source.Validators.Add(result => CommandChecks.Reference(result));
        destination.Validators.Add(result => CommandChecks.Reference(result));
        command.SetAction((result, cancellationToken) => ImageCommand.RunAsync(
            async () =>
            {
                var from = ImageReference.Parse(result.GetValue(source)!);
                var to = ImageReference.Parse(result.GetValue(destination)!);
                var options = registry.ToOptions(result) with { PushRegistries = [to.Registry] };
                using var clients = new RegistryClientPool(options, RegistryFlags.Keychain(environment));
                var outcomes = new List<BlobPushOutcome>();
                var progress = new SynchronousProgress<BlobPushed>(pushed => outcomes.Add(pushed.Outcome));
                var digest = await new ImageCopier(clients).CopyAsync(from, to, progress, cancellationToken).ConfigureAwait(false);
                var summary = string.Join(", ", outcomes.GroupBy(o => o).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Describe(g.Key)}"));
                await Console.Error.WriteLineAsync($"INFO Copied {from} to {to}@{digest} (blobs: {(summary.Length == 0 ? "none" : summary)})").ConfigureAwait(false);
                await Console.Out.WriteLineAsync(digest.ToString()).ConfigureAwait(false);
            },
            cancellationToken));
        return command;
    }

    private static string Describe(BlobPushOutcome outcome) => outcome switch
    {
        BlobPushOutcome.AlreadyExists => "already there",
        BlobPushOutcome.Mounted => "mounted",
        BlobPushOutcome.Uploaded or BlobPushOutcome.UploadedInChunks => "uploaded",
        _ => outcome.ToString(),
    };

    /// <summary>Reports on the caller's thread, under a lock: blobs are pushed in parallel.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _lock = new();

        public void Report(T value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}
