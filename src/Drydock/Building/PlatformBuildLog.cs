using Drydock.Reference;

namespace Drydock.Building;

/// <summary>Marks every line of one platform's build in a multi-platform build with that platform.</summary>
internal sealed class PlatformBuildLog(IBuildLog inner, Platform platform) : IBuildLog
{
    private readonly string _prefix = $"[{platform}] ";

    public void Info(string message) => inner.Info(_prefix + message);

    public void Warn(string message) => inner.Warn(_prefix + message);

    public void Debug(string message) => inner.Debug(_prefix + message);

    public bool ShowsDebug => inner.ShowsDebug;

    public void Output(string line) => inner.Output(_prefix + line);
}
