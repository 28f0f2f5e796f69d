using System.Text.Json.Nodes;
using Drydock.Building;
using Drydock.Context;
using Drydock.Registry.Auth;

namespace Drydock.Tests.Building;

/// <summary>
/// A whole build run in-process: a Dockerfile in a temporary context, the builder with a
/// <see cref="RecordingSandbox"/>, the walking snapshotter and no registry, the image saved to an
/// OCI layout that the test reads back. Everything lives under one temporary directory.
/// </summary>
internal sealed class BuildScenario : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("drydock-builder-").FullName;

    public BuildScenario(string dockerfile)
    {
        Directory.CreateDirectory(ContextPath);
        System.IO.File.WriteAllText(Path.Combine(ContextPath, "Dockerfile"), dockerfile);
    }

    public string ContextPath => Path.Combine(_root, "context");

    public RecordingSandbox Sandbox { get; init; } = new();

    public Log BuildLog { get; } = new();

    /// <summary>Writes a file into the build context.</summary>
    public BuildScenario File(string relative, string content)
    {
        var path = Path.Combine(ContextPath, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return this;
    }

    /// <summary>Builds with <paramref name="change"/> applied to the options, and returns the saved image.</summary>
    public async Task<BuiltImage> BuildAsync(Func<BuildOptions, BuildOptions>? change = null)
    {
        var layout = Path.Combine(_root, "layout-" + Guid.NewGuid().ToString("N"));
        var options = new BuildOptions
        {
            Context = new ContextSource(ContextPath),
            NoPush = true,
            OciLayoutPath = layout,
            Snapshotter = SnapshotterKind.Walk,
            WorkDirectory = Path.Combine(_root, "work-" + Guid.NewGuid().ToString("N")),
            RunCacheDirectory = Path.Combine(_root, "run-cache"),
            // Never in place: that would build over this machine's own "/".
            Isolation = Drydock.Sandbox.Isolation.Chroot,
        };
        var builder = new Builder(Sandbox, new NoCredentials(), BuildLog, _ => null);
        var digest = await builder.RunAsync(change is null ? options : change(options), CancellationToken.None);
        return BuiltImage.Read(layout, digest.ToString());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The log lines of a build, in order.</summary>
    internal sealed class Log : IBuildLog
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        /// <summary>The "Stage NAME: FROM IMAGE" lines, in order.</summary>
        public IReadOnlyList<string> Stages => [.. Lines.Where(l => l.StartsWith("Stage ", StringComparison.Ordinal))];

        public void Info(string message) => Add(message);

        public void Warn(string message) => Add("WARN " + message);

        public void Debug(string message)
        {
        }

        public void Output(string line) => Add("OUTPUT " + line);

        private void Add(string line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    internal sealed class NoCredentials : IKeychain
    {
        public ValueTask<Drydock.Registry.Auth.Credential?> ResolveAsync(string registry, CancellationToken cancellationToken) => ValueTask.FromResult<Drydock.Registry.Auth.Credential?>(null);
    }
}

/// <summary>An image read back from the OCI layout a <see cref="BuildScenario"/> saved.</summary>
internal sealed record BuiltImage(string Digest, JsonNode Manifest, JsonNode Config)
{
    /// <summary>The OCI layout the image was read from.</summary>
    public string Layout { get; init; } = "";

    public int LayerCount => Manifest["layers"]!.AsArray().Count;

    /// <summary>Each history entry as "created_by" with " (empty)" after the entries of no layer.</summary>
    public IReadOnlyList<string> History =>
        [.. Config["history"]!.AsArray().Select(h => h!["created_by"]!.GetValue<string>() + (h["empty_layer"]?.GetValue<bool>() == true ? " (empty)" : ""))];

    public IReadOnlyList<string> Env => [.. (Config["config"]?["Env"]?.AsArray() ?? []).Select(e => e!.GetValue<string>())];

    public static BuiltImage Read(string layout, string digest)
    {
        var manifest = JsonNode.Parse(System.IO.File.ReadAllText(Blob(layout, digest)))!;
        var config = JsonNode.Parse(System.IO.File.ReadAllText(Blob(layout, manifest["config"]!["digest"]!.GetValue<string>())))!;
        return new BuiltImage(digest, manifest, config) { Layout = layout };
    }

    private static string Blob(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
}
