using System.Text.RegularExpressions;
using Drydock.Context.Buckets;
using Drydock.Context.Remote;

namespace Drydock.Context;

/// <summary>What kind of place a build context comes from.</summary>
public enum ContextKind
{
    /// <summary>A local directory: a plain path or <c>dir://PATH</c>.</summary>
    Directory,

    /// <summary>A local tar archive, plain or compressed: <c>tar://PATH</c>.</summary>
    Tar,

    /// <summary>A tar archive on standard input: <c>tar://stdin</c>, or <c>-</c> as docker takes it.</summary>
    StandardInput,

    /// <summary>A git repository: <c>git://HOST/PATH[#REF[#COMMIT]]</c>, fetched over https unless GIT_PULL_METHOD says otherwise.</summary>
    Git,

    /// <summary>A tar archive at an http(s) URL.</summary>
    Http,

    /// <summary>A tar archive in a cloud bucket: <c>s3://</c>, <c>gs://</c>, an Azure Blob URL (<see cref="ContextSource.Bucket"/>).</summary>
    Bucket,
}

/// <summary>
/// Where a build's context comes from, parsed once from what the user wrote with kaniko's
/// prefixes (dir://, tar://, git://, http(s)://, s3://, gs://). Whatever the kind, the context
/// ends up as a directory on disk (<see cref="BuildContextOpener"/>).
/// </summary>
/// <param name="Location">What follows the prefix: a path, <c>HOST/PATH#REF</c> for git, the whole URL for http(s) and buckets.</param>
/// <param name="Kind">The kind of place.</param>
public sealed partial record ContextSource(string Location, ContextKind Kind = ContextKind.Directory)
{
    private const string DirectoryScheme = "dir://";
    private const string TarScheme = "tar://";
    private const string GitScheme = "git://";
    private const string StandardInputName = "stdin";

    /// <summary>A directory inside the context to use as the context (kaniko's --context-sub-path); null for the whole context.</summary>
    public string? SubPath { get; init; }

    /// <summary>How a git context is fetched.</summary>
    public GitContextOptions Git { get; init; } = GitContextOptions.Default;

    /// <summary>The bucket object of a <see cref="ContextKind.Bucket"/> context; null for other kinds.</summary>
    public BucketObject? Bucket { get; init; }

    /// <summary>Opens the process's standard input, for <see cref="ContextKind.StandardInput"/>; the caller that owns the console gives it.</summary>
    public Func<Stream>? StandardInput { get; init; }

    /// <summary>The context as the user wrote it, for messages (any user:password in a URL left out).</summary>
    public string Shown => Kind switch
    {
        ContextKind.Tar => TarScheme + Location,
        ContextKind.StandardInput => TarScheme + StandardInputName,
        ContextKind.Git => GitScheme + AddSources.Display(Location),
        ContextKind.Bucket when Bucket is not null => Bucket.Display,
        _ => AddSources.Display(Location),
    };

    /// <exception cref="BuildContextException">A <c>scheme://</c> prefix that names no kind of context, or a bucket URL that names no bucket.</exception>
    public static ContextSource Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "-" || text == TarScheme + StandardInputName)
        {
            return new ContextSource(StandardInputName, ContextKind.StandardInput);
        }

        if (!Scheme().IsMatch(text))
        {
            return new ContextSource(text);
        }

        if (BucketContext.TryParse(text, out var bucket))
        {
            return new ContextSource(text, ContextKind.Bucket) { Bucket = bucket };
        }

        return Scheme().Match(text).Value.ToLowerInvariant() switch
        {
            DirectoryScheme => new ContextSource(text[DirectoryScheme.Length..]),
            TarScheme => new ContextSource(text[TarScheme.Length..], ContextKind.Tar),
            GitScheme => new ContextSource(text[GitScheme.Length..], ContextKind.Git),
            "http://" or "https://" => new ContextSource(text, ContextKind.Http),
            var other => throw new BuildContextException(
                $"unknown build context prefix {other} in {AddSources.Display(text)}: use a directory (or dir://), tar://PATH, tar://stdin, git://, http(s)://, s3:// or gs://"),
        };
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*://")]
    private static partial Regex Scheme();
}
