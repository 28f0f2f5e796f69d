using System.Text;
using Drydock.Building.Copy;
using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Foundation.GoFormats;
using Drydock.Foundation.Paths;
using Drydock.Foundation.Streams;
using Drydock.Native;
using Drydock.Sandbox;

namespace Drydock.Building.Mounts;

/// <summary>
/// The mounts of one RUN made ready for the sandbox: sources found, cache directories leased,
/// secrets written to private files outside the rootfs. Disposing releases and deletes all of it.
/// </summary>
internal sealed class RunMountSetup : IDisposable
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode DefaultCacheMode = (UnixFileMode)0b111_101_101;
    private const UnixFileMode DefaultSecretMode = UnixFileMode.UserRead;
    private const UnixFileMode DefaultSshMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Where BuildKit puts the Nth ssh mount without a target.</summary>
    private const string SshTargetPrefix = "/run/buildkit/ssh_agent.";

    private const string SshAuthSockVariable = "SSH_AUTH_SOCK";
    private const UnixFileMode ScriptMode = (UnixFileMode)0b111_101_101;

    // Leaves room in a socket's 107 bytes for "/ssh-XXXXXXXXXXXX/agent-NN".
    private const int MaxSocketParentLength = 72;

    /// <summary>Where BuildKit puts the script of a RUN &lt;&lt;EOF whose body starts with #!.</summary>
    public const string ScriptDirectory = "/dev/pipes";

    private readonly RunMountSources _sources;
    private readonly SourceLocation _location;
    private readonly List<IDisposable> _leases = [];
    private readonly List<string> _temporary = [];
    private readonly List<SandboxMount> _mounts = [];
    private readonly List<KeyValuePair<string, string>> _environment = [];
    private string? _scratch;
    private string? _secrets;
    private string? _sockets;
    private int _sshMounts;

    private RunMountSetup(RunMountSources sources, SourceLocation location)
    {
        _sources = sources;
        _location = location;
    }

    public IReadOnlyList<SandboxMount> Mounts => _mounts;

    /// <summary>Secrets mounted as environment variables.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment => _environment;

    /// <param name="script">A heredoc script to provide at /dev/pipes/NAME (executable, read-only), if any.</param>
    /// <exception cref="BuildException">A mount BuildKit would refuse, or a required secret that is missing.</exception>
    public static async Task<RunMountSetup> PrepareAsync(
        IReadOnlyList<RunMount> mounts,
        (string Name, string Content)? script,
        string workingDirectory,
        RunMountSources sources,
        SourceLocation location,
        IBuildLog log,
        CancellationToken cancellationToken)
    {
        var setup = new RunMountSetup(sources, location);
        try
        {
            foreach (var mount in mounts)
            {
                await setup.AddAsync(mount, workingDirectory, log, cancellationToken).ConfigureAwait(false);
            }

            if (script is var (name, content))
            {
                setup.AddScript(name, content);
            }

            return setup;
        }
        catch
        {
            setup.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var lease in _leases)
        {
            lease.Dispose();
        }

        foreach (var directory in _temporary)
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        _leases.Clear();
        _temporary.Clear();
    }

    private void AddScript(string name, string content)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw Error($"the heredoc name {GoStrings.Quote(name)} cannot be a file name for its script");
        }

        var directory = Directory.CreateDirectory(Path.Combine(Scratch(), "pipes"), ScriptMode).FullName;
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, ScriptMode);
        _mounts.Add(new SandboxMount.Bind(directory, ScriptDirectory, BindWrites.Refused));
    }

    private Task AddAsync(RunMount mount, string workingDirectory, IBuildLog log, CancellationToken cancellationToken) => mount.Type switch
    {
        RunMountType.Bind => AddBindAsync(mount, Target(mount, workingDirectory), cancellationToken),
        RunMountType.Cache => AddCacheAsync(mount, Target(mount, workingDirectory), log, cancellationToken),
        RunMountType.Tmpfs => AddTmpfs(mount, Target(mount, workingDirectory)),
        RunMountType.Secret => AddSecretAsync(mount, cancellationToken),
        RunMountType.Ssh => AddSsh(mount, workingDirectory),
        _ => throw new ArgumentException($"unknown mount type {mount.Type}", nameof(mount)),
    };

    private async Task AddBindAsync(RunMount mount, string target, CancellationToken cancellationToken)
    {
        var source = await BindSourceAsync(mount, cancellationToken).ConfigureAwait(false);
        // BuildKit's rw bind: the command may write, and nothing it writes is kept.
        _mounts.Add(new SandboxMount.Bind(source, target, mount.ReadOnly ? BindWrites.Refused : BindWrites.Discarded));
    }

    private async Task<string> BindSourceAsync(RunMount mount, CancellationToken cancellationToken)
    {
        var source = ConfigEdits.CleanAbsolute(mount.Source);
        if (mount.From.Length > 0)
        {
            var rootfs = await _sources.RootfsOf(mount.From, cancellationToken).ConfigureAwait(false);
            return Existing(RootedPath.Resolve(rootfs, source), source, mount.From);
        }

        var context = _sources.Context;
        if (context.Ignore.Patterns.Count == 0)
        {
            return Existing(RootedPath.Resolve(context.Root, source), source, "the build context");
        }

        // Files the .dockerignore rules exclude are not part of the context, so they must not
        // show in the mount either: it shows a copy of what the rules let through.
        var entry = OneEntry(context, source, "the build context");
        var copy = Path.Combine(Scratch(), "context-" + _mounts.Count);
        TreeCopy.Copy(context, entry, copy, cancellationToken);
        return copy;
    }

    private async Task AddCacheAsync(RunMount mount, string target, IBuildLog log, CancellationToken cancellationToken)
    {
        // BuildKit's default id is the target as written, cleaned (not resolved against WORKDIR).
        var id = mount.Id.Length > 0 ? mount.Id : GoPath.Clean(mount.Target);
        var source = ConfigEdits.CleanAbsolute(mount.Source);
        var seed = mount.From.Length > 0 ? await _sources.RootfsOf(mount.From, cancellationToken).ConfigureAwait(false) : null;
        var lease = await _sources.Cache.AcquireAsync(
            id,
            mount.Sharing ?? CacheSharing.Shared,
            directory => Initialize(directory, seed, source, cancellationToken),
            () => log.Info($"waiting for the cache mount {id}: another build holds it (sharing=locked)"),
            cancellationToken).ConfigureAwait(false);
        _leases.Add(lease);

        var mounted = RootedPath.Resolve(lease.Directory, source);
        Directory.CreateDirectory(mounted);
        if (mount.Uid is not null || mount.Gid is not null || mount.Mode is not null)
        {
            NativeFiles.Lchown(mounted, mount.Uid ?? 0, mount.Gid ?? 0);
            NativeFiles.Chmod(mounted, mount.Mode is { } mode ? (UnixFileMode)(mode & 0xFFF) : DefaultCacheMode);
        }

        _mounts.Add(new SandboxMount.Bind(mounted, target, mount.ReadOnly ? BindWrites.Refused : BindWrites.Kept));
    }

    /// <summary>A new cache directory: 0755 root's, holding a copy of from=/source= when given.</summary>
    private void Initialize(string directory, string? seed, string source, CancellationToken cancellationToken)
    {
        NativeFiles.Chmod(directory, DefaultCacheMode);
        if (seed is null)
        {
            return;
        }

        var files = FileSource.ForRootfs(seed);
        var entry = OneEntry(files, source, "the cache's from=");
        TreeCopy.Copy(files, entry, RootedPath.Resolve(directory, source), cancellationToken);
    }

    private Task AddTmpfs(RunMount mount, string target)
    {
        _mounts.Add(new SandboxMount.Tmpfs(target, mount.SizeLimit));
        return Task.CompletedTask;
    }

    private async Task AddSecretAsync(RunMount mount, CancellationToken cancellationToken)
    {
        var id = mount.Source.Length > 0 ? mount.Source : mount.Id.Length > 0 ? mount.Id : BaseName(mount.Target);
        var secret = _sources.Secrets.LastOrDefault(s => s.Id == id);
        var value = secret is null ? null : await secret.ReadAsync(_sources.Environment, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            if (mount.Required)
            {
                throw Missing($"secret {id}: not found", new MissingBuildInput(BuildInputKind.Secret, id));
            }

            return; // an optional secret that was not given is simply not there
        }

        if (mount.Env is not null)
        {
            AddSecretVariable(mount.Env.Length > 0 ? mount.Env : id, id, value);
        }

        if (mount.Env is null || mount.Target.Length > 0)
        {
            var target = mount.Target.Length > 0 ? ConfigEdits.CleanAbsolute(mount.Target) : "/run/secrets/" + BaseName(id);
            var file = Path.Combine(SecretDirectory(), "secret-" + _mounts.Count);
            await WriteSecretFileAsync(file, value, mount, cancellationToken).ConfigureAwait(false);
            _mounts.Add(new SandboxMount.Bind(file, target, BindWrites.Refused));
        }
    }

    /// <summary>
    /// The agent of <c>--ssh ID</c> behind a forwarding socket at the target (default
    /// /run/buildkit/ssh_agent.N); the first ssh mount is the command's SSH_AUTH_SOCK, as BuildKit
    /// sets it, even when an optional agent is missing.
    /// </summary>
    private Task AddSsh(RunMount mount, string workingDirectory)
    {
        var id = mount.Id.Length > 0 ? mount.Id : SshAgentSource.DefaultId;
        var target = mount.Target.Length > 0 ? Target(mount, workingDirectory) : SshTargetPrefix + _sshMounts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (_sshMounts++ == 0)
        {
            _environment.Add(new(SshAuthSockVariable, target));
        }

        if (_sources.SshAgents.LastOrDefault(agent => agent.Id == id) is not { } agent)
        {
            return mount.Required
                ? throw Missing($"no ssh agent {id} was given to the build", new MissingBuildInput(BuildInputKind.SshAgent, id))
                : Task.CompletedTask;
        }

        var socket = Path.Combine(SocketDirectory(), "agent-" + _mounts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var mode = mount.Mode is { } given ? (UnixFileMode)(given & 0xFFF) : DefaultSshMode;
        _leases.Add(SshAgentForwarder.Start(agent.Socket(), socket, mount.Uid ?? 0, mount.Gid ?? 0, mode));
        _mounts.Add(new SandboxMount.Bind(socket, target, BindWrites.Kept));
        return Task.CompletedTask;
    }

    private void AddSecretVariable(string name, string id, byte[] value)
    {
        if (name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw Error($"secret {id}: {GoStrings.Quote(name)} is not an environment variable name");
        }

        // Never the value in a message: it is the secret.
        var text = Encoding.UTF8.GetString(value);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw Error($"secret {id} holds a NUL byte and cannot be an environment variable", "mount it as a file instead");
        }

        _environment.Add(new(name, text));
    }

    private static async Task WriteSecretFileAsync(string path, byte[] value, RunMount mount, CancellationToken cancellationToken)
    {
        var stream = NewFile.Create(path);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(value, cancellationToken).ConfigureAwait(false);
        }

        NativeFiles.Lchown(path, mount.Uid ?? 0, mount.Gid ?? 0);
        NativeFiles.Chmod(path, mount.Mode is { } mode ? (UnixFileMode)(mode & 0xFFF) : DefaultSecretMode);
    }

    /// <summary>The mount target: relative ones are taken from the WORKDIR, and "/" is refused, as BuildKit does.</summary>
    private string Target(RunMount mount, string workingDirectory)
    {
        var target = ConfigEdits.CleanAbsolute(mount.Target.StartsWith('/') ? mount.Target : workingDirectory + "/" + mount.Target);
        return target == "/"
            ? throw Error($"invalid mount target {GoStrings.Quote(target)}", "give the mount a target: --mount=…,target=/path")
            : target;
    }

    /// <summary>The one entry a mount source names; a mount has no wildcards, so several matches are an error.</summary>
    private ContextEntry OneEntry(IFileSource files, string source, string where) =>
        files.ResolveSources(source) is [var entry]
            ? entry
            : throw Error($"mount source {GoStrings.Quote(source)} names several files in {where}", "mount one file or directory");

    private string Existing(string hostPath, string source, string where) =>
        Path.Exists(hostPath)
            ? hostPath
            : throw Error($"mount source {GoStrings.Quote(source)} not found in {where}");

    /// <summary>This RUN's directory for copies and scripts, in the build's work directory.</summary>
    private string Scratch() => _scratch ??= Temporary(Path.Combine(_sources.ScratchRoot, "run-" + Guid.NewGuid().ToString("N")));

    /// <summary>Secrets stay in memory where the machine has a tmpfs for it, and never in the rootfs.</summary>
    private string SecretDirectory() => _secrets ??= Directory.Exists("/dev/shm")
        ? Temporary("/dev/shm/drydock-secrets-" + Guid.NewGuid().ToString("N"))
        : Scratch();

    /// <summary>
    /// Sockets live in a short private directory: a socket's path is limited to 107 bytes. It is in
    /// the work directory where that leaves room (never in /tmp then, which a build in place replaces).
    /// </summary>
    private string SocketDirectory() => _sockets ??= Temporary(Path.Combine(
        _sources.ScratchRoot.Length <= MaxSocketParentLength ? _sources.ScratchRoot : Path.GetTempPath(), "ssh-" + Guid.NewGuid().ToString("N")[..12]));

    private string Temporary(string path)
    {
        Directory.CreateDirectory(path, PrivateDirectory);
        _temporary.Add(path);
        return path;
    }

    private static string BaseName(string path) => path.TrimEnd('/').Split('/')[^1];

    private BuildException Error(string message, string? hint = null) =>
        new(_location, "RUN", hint is null ? message : $"{message}\n{hint}");

    // How to give the input is the business of whoever started the build (the command line names its flag).
    private BuildException Missing(string message, MissingBuildInput input) =>
        new(_location, "RUN", message) { Missing = input };
}
