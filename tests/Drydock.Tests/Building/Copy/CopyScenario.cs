using Drydock.Building.Steps;
using Drydock.Building;
using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Native;
using Drydock.Reference;
using Drydock.Tests.Context;

namespace Drydock.Tests.Building.Copy;

/// <summary>
/// One COPY or ADD run the way the stage builder runs it, without the CLI: a context tree, an
/// empty scratch rootfs, and the instruction parsed and expanded from a Dockerfile line.
/// </summary>
internal sealed class CopyScenario : IDisposable
{
    private readonly WorkDirectory _work = WorkDirectory.Create(null);

    public CopyScenario()
    {
        Rootfs = _work.NewRootfs("stage");
        Stage = _work.NewRootfs("builder");
    }

    public TempTree Context { get; } = new();

    public string Rootfs { get; }

    /// <summary>An earlier stage's rootfs, for <c>COPY --from</c> (through <see cref="FileSource.ForRootfs"/>).</summary>
    public string Stage { get; }

    public List<string> Warnings { get; } = [];

    /// <summary>The context's .dockerignore rules.</summary>
    public DockerIgnore Ignore { get; set; } = DockerIgnore.Empty;

    /// <summary>The build context as COPY reads it, <see cref="Ignore"/> applied.</summary>
    public FileSource ContextSource => new(Context.Root, Ignore);

    public WorkDirectory Work => _work;

    public IBuildLog Log => new ScenarioLog(Warnings);

    public StageState State { get; } = new(BaseImage.Scratch(Platform.Host).Config, [], dockerMediaTypes: false);

    /// <summary>Runs a COPY line (placed on line 2, after FROM scratch) against the context, or against <paramref name="from"/>.</summary>
    public Task CopyAsync(string line, IReadOnlyDictionary<string, string>? variables = null, IFileSource? from = null) =>
        CopyStep.CopyAsync(Parse<CopyInstruction>(line, variables), from ?? ContextSource, State, Rootfs, CancellationToken.None);

    public Task AddAsync(string line, IReadOnlyDictionary<string, string>? variables = null) =>
        AddStep.AddAsync(Parse<AddInstruction>(line, variables), ContextSource, State, Rootfs, _work, Log, sshAuthSocket: null, CancellationToken.None);

    /// <summary>The host path of an image path.</summary>
    public string Image(string imagePath) => Path.Combine(Rootfs, imagePath.TrimStart('/'));

    /// <summary>Everything below an image directory, as sorted relative paths (directories end with '/').</summary>
    public IReadOnlyList<string> Listing(string imagePath) => RootfsListing.Tree(Image(imagePath));

    /// <summary>The octal permission bits (setuid, setgid and sticky included) of an image path.</summary>
    public string Mode(string imagePath) => Convert.ToString((int)NativeFiles.Lstat(Image(imagePath)).Permissions, 8);

    public string Owner(string imagePath)
    {
        var status = NativeFiles.Lstat(Image(imagePath));
        return $"{status.Uid}:{status.Gid}";
    }

    public void Dispose()
    {
        Context.Dispose();
        _work.Dispose();
    }

    /// <summary>A COPY or ADD line parsed (after FROM scratch) and expanded, as the stage builder hands it to its step.</summary>
    public static T Parse<T>(string line, IReadOnlyDictionary<string, string>? variables = null)
        where T : ExpandableInstruction
    {
        var instruction = Assert.IsType<T>(DockerfileParser.Parse("FROM scratch\n" + line).Stages.Single().Instructions.Single());
        return (T)instruction.Expand(new VariableExpander('\\', variables ?? new Dictionary<string, string>()));
    }

    private sealed class ScenarioLog(List<string> warnings) : IBuildLog
    {
        public void Info(string message)
        {
        }

        public void Warn(string message) => warnings.Add(message);

        public void Debug(string message)
        {
        }

        public void Output(string line)
        {
        }
    }
}
