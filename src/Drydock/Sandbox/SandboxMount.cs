namespace Drydock.Sandbox;

/// <summary>What happens to what the command writes into a bind mount.</summary>
public enum BindWrites
{
    /// <summary>The mount is read-only.</summary>
    Refused,

    /// <summary>Writes reach the source (a cache directory).</summary>
    Kept,

    /// <summary>Writes are allowed but thrown away after the command; the source never changes.</summary>
    Discarded,
}

/// <summary>
/// Something mounted for one command, on top of the sandbox's own /proc, /dev and /sys. Targets
/// are absolute paths inside the image, resolved within the rootfs; a missing target is created
/// for the command and removed afterwards, so mounts never show in a snapshot.
/// </summary>
public abstract record SandboxMount
{
    private protected SandboxMount(string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (!target.StartsWith('/') || target.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A mount target must be an absolute path: '{target}'.", nameof(target));
        }

        Target = target;
    }

    public string Target { get; }

    /// <summary>A host file or directory (with what is mounted below it) at <see cref="SandboxMount.Target"/>.</summary>
    public sealed record Bind : SandboxMount
    {
        public Bind(string source, string target, BindWrites writes)
            : base(target)
        {
            ArgumentException.ThrowIfNullOrEmpty(source);
            Source = source;
            Writes = writes;
        }

        public string Source { get; }

        public BindWrites Writes { get; }
    }

    /// <summary>An empty tmpfs; <see cref="SizeLimit"/> 0 means the kernel's default (half the memory).</summary>
    public sealed record Tmpfs : SandboxMount
    {
        public Tmpfs(string target, long sizeLimit = 0)
            : base(target)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(sizeLimit);
            SizeLimit = sizeLimit;
        }

        public long SizeLimit { get; }
    }
}
