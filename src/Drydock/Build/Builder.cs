namespace Drydock.Build;

/// <summary>Runs one build from options to pushed or saved image.</summary>
public sealed class Builder(BuildOptions options, IBuildLog log)
{
    public Task<string> RunAsync(CancellationToken cancellationToken)
    {
        _ = options;
        _ = log;
        cancellationToken.ThrowIfCancellationRequested();
        throw new InvalidOperationException("the builder is being assembled");
    }
}
