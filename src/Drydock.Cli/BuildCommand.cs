using System.CommandLine;
using Drydock.Building;
using Drydock.Oci;
using Drydock.Snapshot;
using Drydock.Building.Mounts;

namespace Drydock.Cli;

/// <summary>
/// `drydock build` / `drydock executor`: kaniko's flag names are canonical, docker's short forms
/// are aliases, and the context may also be given positionally as with `docker build`.
/// </summary>
public static class BuildCommand
{
    private static readonly Option<string?> ContextOption = new("--context", "-c") { Description = "The build context: a directory (dir://PATH is accepted too)." };
    private static readonly Argument<string?> ContextArgument = new("CONTEXT") { Description = "The build context, as with docker build.", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> DockerfileOption = new("--dockerfile", "-f") { Description = "Path to the Dockerfile (default: CONTEXT/Dockerfile)." };
    private static readonly Option<string[]> DestinationOption = new("--destination", "-d", "-t") { Description = "Image reference to push to; repeat for several tags." };
    private static readonly Option<string[]> BuildArgOption = new("--build-arg") { Description = "A build argument NAME=VALUE (or NAME to take it from the environment); repeatable." };
    private static readonly Option<string[]> PlatformOption = new("--custom-platform", "--platform") { Description = "Build for this platform (OS/ARCH[/VARIANT]): base images are pulled for it and the image says so. A comma-separated list, or the flag repeated, builds each and pushes an image index." };
    private static readonly Option<string?> TargetOption = new("--target") { Description = "Build this stage (by name) instead of the last one." };
    private static readonly Option<bool?> SkipUnusedStagesOption = new("--skip-unused-stages") { Description = "Build only the stages the target needs (default: on for `build`, off for `executor`, as in kaniko)." };
    private static readonly Option<string[]> LabelOption = new("--label") { Description = "Set a label KEY=VALUE on the image; repeatable." };
    private static readonly Option<SnapshotterKind> SnapshotterOption = new("--snapshotter") { Description = "How changes are found: auto (overlay where mounting works), overlay, walk.", DefaultValueFactory = _ => SnapshotterKind.Auto };
    private static readonly Option<SnapshotMode> SnapshotModeOption = new("--snapshot-mode") { Description = "What counts as a change: full (content), redo (metadata), time (mtime).", DefaultValueFactory = _ => SnapshotMode.Full };
    private static readonly Option<bool> SingleSnapshotOption = new("--single-snapshot") { Description = "Make one layer per stage instead of one per instruction." };
    private static readonly Option<string[]> IgnorePathOption = new("--ignore-path") { Description = "An image path never snapshotted; repeatable." };
    private static readonly Option<bool> ReproducibleOption = new("--reproducible") { Description = "Clear timestamps (SOURCE_DATE_EPOCH when set) so the same inputs give the same digest." };
    private static readonly Option<LayerCompression> CompressionOption = new("--compression") { Description = "Layer compression: gzip, zstd or none.", DefaultValueFactory = _ => LayerCompression.Gzip };
    private static readonly Option<int?> CompressionLevelOption = new("--compression-level") { Description = "Compression level (gzip 0-9, zstd -7 to 19)." };
    private static readonly Option<bool> NoPushOption = new("--no-push") { Description = "Build without pushing to any registry." };
    private static readonly Option<string?> TarPathOption = new("--tar-path") { Description = "Also save the image as a docker-archive tarball at this path." };
    private static readonly Option<string?> OciLayoutPathOption = new("--oci-layout-path") { Description = "Also save the image into an OCI image layout at this directory." };
    private static readonly Option<string?> DigestFileOption = new("--digest-file") { Description = "Write the image's manifest digest to this file." };
    private static readonly RegistryFlags Registry = new();
    private static readonly Option<string[]> SecretOption = new("--secret") { Description = "A secret for RUN --mount=type=secret: id=ID,src=PATH or id=ID,env=VARIABLE; repeatable." };
    private static readonly Option<string[]> SshOption = new("--ssh") { Description = "An ssh agent for RUN --mount=type=ssh and git sources: default (the agent of $SSH_AUTH_SOCK), ID or ID=SOCKET; repeatable." };
    private static readonly Option<string?> RunCacheDirOption = new("--run-cache-dir") { Description = "Where RUN --mount=type=cache directories persist between builds (default: $XDG_CACHE_HOME/drydock/run-cache)." };
    private static readonly Option<Verbosity> VerbosityOption = new("--verbosity", "-v") { Description = "Log level: panic, fatal, error, warn, info, debug, trace.", DefaultValueFactory = _ => Verbosity.Info };

    public static Command Create()
    {
        var command = new Command("build", "Build an image from a Dockerfile and push it.")
        {
            ContextOption, ContextArgument, DockerfileOption, DestinationOption, BuildArgOption, PlatformOption, TargetOption, SkipUnusedStagesOption, LabelOption, SnapshotterOption, SnapshotModeOption, SingleSnapshotOption, IgnorePathOption,
            ReproducibleOption, CompressionOption, CompressionLevelOption, NoPushOption, TarPathOption,
            OciLayoutPathOption, DigestFileOption, VerbosityOption,
            SecretOption, SshOption, RunCacheDirOption,
        };
        Registry.AddTo(command);
        command.Aliases.Add("executor");
        command.Validators.Add(result =>
        {
            // Tokens, not values: reading the value of an option that failed to parse throws.
            var contextToken = result.GetResult(ContextArgument)?.Tokens.FirstOrDefault()?.Value;
            if (contextToken is not null && contextToken.StartsWith('-'))
            {
                // An unknown flag lands here as if it were the context directory.
                result.AddError($"unknown flag '{contextToken}' (or a flag missing its value)");
                return;
            }

            if (contextToken is not null && HasValue(result, ContextOption))
            {
                result.AddError("Give the context once: either --context or the CONTEXT argument.");
            }

            if (!HasValue(result, DestinationOption) && result.GetResult(NoPushOption) is null)
            {
                result.AddError("Nowhere to push: pass --destination (-d) or use --no-push.");
            }
        });
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var log = new ConsoleBuildLog(result.GetValue(VerbosityOption));
        try
        {
            var options = ToOptions(result);
            var digest = await new Builder(options, log).RunAsync(cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine(digest);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Error("build cancelled");
            return 130;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.Error(e.Message);
            log.Debug(e.ToString());
            return 1;
        }
    }

    private static bool HasValue(System.CommandLine.Parsing.CommandResult result, Option option) =>
        result.GetResult(option) is { Tokens.Count: > 0 };

    private static BuildOptions ToOptions(ParseResult result) => new()
    {
        Context = result.GetValue(ContextOption) ?? result.GetValue(ContextArgument) ?? Directory.GetCurrentDirectory(),
        Dockerfile = result.GetValue(DockerfileOption),
        Destinations = result.GetValue(DestinationOption) ?? [],
        BuildArgs = (result.GetValue(BuildArgOption) ?? []).Select(ParseBuildArg).ToArray(),
        Platforms = result.GetValue(PlatformOption) ?? [],
        Target = result.GetValue(TargetOption),
        SkipUnusedStages = result.GetValue(SkipUnusedStagesOption) ?? result.CommandResult.IdentifierToken?.Value != "executor",
        Labels = (result.GetValue(LabelOption) ?? []).Select(ParseLabel).ToArray(),
        Snapshotter = result.GetValue(SnapshotterOption),
        SnapshotMode = result.GetValue(SnapshotModeOption),
        SingleSnapshot = result.GetValue(SingleSnapshotOption),
        IgnorePaths = result.GetValue(IgnorePathOption) ?? [],
        Reproducible = result.GetValue(ReproducibleOption),
        Compression = result.GetValue(CompressionOption),
        CompressionLevel = result.GetValue(CompressionLevelOption),
        NoPush = result.GetValue(NoPushOption),
        TarPath = result.GetValue(TarPathOption),
        OciLayoutPath = result.GetValue(OciLayoutPathOption),
        DigestFile = result.GetValue(DigestFileOption),
        Registry = Registry.ToOptions(result),
        Secrets = (result.GetValue(SecretOption) ?? []).Select(text => SecretSource.Parse(text)).ToArray(),
        SshAgents = (result.GetValue(SshOption) ?? []).Select(text => SshAgentSource.Parse(text)).ToArray(),
        RunCacheDirectory = result.GetValue(RunCacheDirOption),
    };

    private static KeyValuePair<string, string?> ParseBuildArg(string text)
    {
        var equals = text.IndexOf('=');
        return equals < 0 ? new(text, null) : new(text[..equals], text[(equals + 1)..]);
    }

    private static KeyValuePair<string, string> ParseLabel(string text)
    {
        var equals = text.IndexOf('=');
        return equals <= 0
            ? throw new ArgumentException($"--label '{text}' is not KEY=VALUE (for example org.opencontainers.image.source=https://example.com/repo).")
            : new(text[..equals], text[(equals + 1)..]);
    }
}
