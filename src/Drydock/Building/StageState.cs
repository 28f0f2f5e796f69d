using Drydock.Oci;

namespace Drydock.Building;

/// <summary>What a stage has built so far: the image config, its layers and history, and its ARGs.</summary>
internal sealed class StageState(ImageConfig config, IReadOnlyList<ILayer> layers, bool dockerMediaTypes)
{
    private readonly List<ILayer> _layers = [.. layers];
    private readonly List<HistoryEntry> _history = [.. config.History];
    private readonly Dictionary<string, string> _args = new(StringComparer.Ordinal);

    /// <summary>
    /// The state a stage starts in. zstd layers exist only among OCI's media types, so with zstd a
    /// Docker base's layers are listed under their OCI names (the same bytes) in an OCI manifest.
    /// </summary>
    public static StageState FromBase(BaseImage baseImage, LayerCompression compression)
    {
        if (!baseImage.DockerMediaTypes || compression != LayerCompression.Zstd)
        {
            return new StageState(baseImage.Config, baseImage.Layers, baseImage.DockerMediaTypes);
        }

        return new StageState(baseImage.Config, baseImage.Layers.Select(RetypedLayer.AsOci).ToArray(), dockerMediaTypes: false);
    }

    public ImageConfig Config { get; private set; } = config;

    public IReadOnlyList<ILayer> Layers => _layers;

    /// <summary>Keep the base image's manifest flavour so no manifest mixes Docker and OCI media types.</summary>
    public bool DockerMediaTypes { get; } = dockerMediaTypes;

    /// <summary>The shell that runs shell-form commands (SHELL changes it).</summary>
    public IReadOnlyList<string> Shell => Config.Config.Shell ?? ["/bin/sh", "-c"];

    /// <summary>Whether CMD was set in this stage (ENTRYPOINT then leaves it alone, as docker does).</summary>
    public bool CmdSetInStage { get; set; }

    public void SetAuthor(string author) => Config = Config with { Author = author };

    public void UpdateConfig(Func<ContainerConfig, ContainerConfig> change) =>
        Config = Config with { Config = change(Config.Config) };

    /// <summary>The ARGs this stage declared, with their values.</summary>
    public IReadOnlyDictionary<string, string> Arguments => _args;

    public void DeclareArg(string name, string? value)
    {
        if (value is null)
        {
            _args.Remove(name);
        }
        else
        {
            _args[name] = value;
        }
    }

    /// <summary>The variables instruction words expand with: ARG values, overridden by ENV.</summary>
    public IReadOnlyDictionary<string, string> Variables()
    {
        var variables = new Dictionary<string, string>(_args, StringComparer.Ordinal);
        foreach (var entry in Config.Config.Env ?? [])
        {
            var equals = entry.IndexOf('=');
            variables[equals < 0 ? entry : entry[..equals]] = equals < 0 ? "" : entry[(equals + 1)..];
        }

        return variables;
    }

    /// <summary>
    /// The environment of a RUN: the image's Env, plus ARG values ENV does not override, plus the
    /// proxy build arguments, plus docker's default PATH when the image sets none.
    /// </summary>
    public IReadOnlyList<string> RunEnvironment(IEnumerable<KeyValuePair<string, string>> proxies)
    {
        var env = new List<string>(Config.Config.Env ?? []);
        var defined = env.Select(e => e.Split('=', 2)[0]).ToHashSet(StringComparer.Ordinal);
        var args = new Dictionary<string, string>(proxies, StringComparer.Ordinal);
        foreach (var (name, value) in _args)
        {
            args[name] = value;
        }

        env.AddRange(args.Where(a => !defined.Contains(a.Key)).Select(a => $"{a.Key}={a.Value}"));
        if (!defined.Contains("PATH") && !_args.ContainsKey("PATH"))
        {
            env.Add("PATH=" + ConfigEdits.DefaultPath);
        }

        return env;
    }

    /// <summary>Adds a step's layer and its history entry, which it returns.</summary>
    public HistoryEntry AddLayer(ILayer layer, string createdBy, DateTimeOffset? created)
    {
        _layers.Add(layer);
        return AddHistory(new HistoryEntry { Created = Stamp(created), CreatedBy = createdBy });
    }

    /// <summary>Adds the history entry of a step that made no layer, and returns it.</summary>
    public HistoryEntry AddEmptyLayerHistory(string createdBy, DateTimeOffset? created) =>
        AddHistory(new HistoryEntry { Created = Stamp(created), CreatedBy = createdBy, EmptyLayer = true });

    private HistoryEntry AddHistory(HistoryEntry entry)
    {
        _history.Add(entry);
        return entry;
    }

    /// <summary>The finished image of this stage.</summary>
    public Image ToImage(DateTimeOffset? created) =>
        Image.Create(Config with { Created = Stamp(created), History = _history.ToArray() }, _layers, DockerMediaTypes);

    private static Timestamp? Stamp(DateTimeOffset? time) => time is { } value ? Timestamp.From(value) : null;
}
