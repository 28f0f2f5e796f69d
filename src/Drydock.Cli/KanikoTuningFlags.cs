using System.CommandLine;

namespace Drydock.Cli;

/// <summary>
/// kaniko flags that tune its own internals, accepted so its command lines work unchanged. Drydock
/// has nothing for them to tune: it finds RUN's changes its own way (overlay or walk), caches no
/// layers, never writes empty layers for metadata instructions, and retries a base's download
/// (--image-download-retry), not its extraction.
/// </summary>
public sealed class KanikoTuningFlags
{
    private readonly Option<bool> _useNewRun = new("--use-new-run") { Description = "Accepted, nothing to tune: kaniko's experimental RUN change detection." };
    private readonly Option<bool> _compressedCaching = new("--compressed-caching") { Description = "Accepted, nothing to tune: whether kaniko compresses cached layers." };
    private readonly Option<bool> _forceBuildMetadata = new("--force-build-metadata") { Description = "Accepted, nothing to tune: kaniko's empty layers for metadata instructions (Drydock writes none)." };
    private readonly Option<int> _imageFsExtractRetry = new("--image-fs-extract-retry") { HelpName = "N", Description = "Accepted, nothing to tune: kaniko's retries of extracting a base (Drydock's pulls retry under --image-download-retry)." };

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[_useNewRun, _compressedCaching, _forceBuildMetadata, _imageFsExtractRetry])
        {
            command.Options.Add(option);
        }
    }
}
