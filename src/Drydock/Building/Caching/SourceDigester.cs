using Drydock.Building.Copy;
using Drydock.Building.Steps;
using Drydock.Cache;
using Drydock.Context;
using Drydock.Context.Remote;
using Drydock.Dockerfile;

namespace Drydock.Building.Caching;

/// <summary>
/// The source part of a COPY or ADD cache key: a <see cref="SourceDigest"/> of exactly what the
/// step copies. Local sources are expanded by the copy's own code (<see cref="CopyFiles"/>:
/// wildcards, <c>--parents</c>, <c>--exclude</c>, .dockerignore through the file source), so the
/// digested set cannot drift from the copied one; each entry counts by kind, mode, link target,
/// attributes and content (<see cref="SourceEntryRecord"/>), never by times or owners (except
/// where the copy keeps owners). URL and git sources count by <see cref="RemoteSourceIdentity"/>.
/// Heredoc sources are part of the instruction's text and are not digested here.
/// </summary>
/// <remarks>
/// One instance serves one build, from any number of threads: files are read in parallel, at most
/// <c>parallelism</c> at a time, and a file already read is not read again while its path, device,
/// inode, size and modification time stay the same.
/// </remarks>
internal sealed class SourceDigester
{
    private readonly SourceEntryDigests _entries;

    /// <param name="parallelism">How many files are read at once; by default one per processor.</param>
    public SourceDigester(int? parallelism = null)
    {
        _entries = new SourceEntryDigests(parallelism ?? Environment.ProcessorCount);
    }

    /// <summary>How many files' content this digester has read: a test's view of what the memo saves.</summary>
    internal long FilesRead => _entries.FilesRead;

    /// <summary>Digests what <paramref name="copy"/> copies from <paramref name="source"/>.</summary>
    /// <param name="copy">The instruction, expanded (variables substituted).</param>
    /// <param name="source">The build context, or the filesystem <c>--from</c> names, as the step reads it.</param>
    /// <param name="cancellationToken">Stops between files.</param>
    /// <exception cref="BuildException">A source is a URL or git repository, as the step would say.</exception>
    /// <exception cref="BuildContextException">A source names nothing, as the step would say.</exception>
    public Task<SourceDigest> DigestCopyAsync(CopyInstruction copy, IFileSource source, CancellationToken cancellationToken)
    {
        CopyStep.RequireLocalSources(copy);
        var excludes = CopyFiles.Excludes(copy.Excludes);
        var resolved = CopyFiles.ResolveAll(source, copy.Sources, copy.Parents, hasOtherSources: copy.InlineSources.Count > 0);
        var entries = new List<SourceEntry>();
        foreach (var local in resolved.SelectMany(s => s))
        {
            Collect(source, local, excludes, entries, cancellationToken);
        }

        return DigestAsync([new SourcePart(entries)], CopyStep.KeepsSourceOwners(copy), cancellationToken);
    }

    /// <summary>
    /// Digests what <paramref name="add"/> adds: local sources as COPY does (an archive counts by
    /// its content, whether or not it is unpacked), URLs and git repositories by their identity.
    /// </summary>
    /// <param name="add">The instruction, expanded (variables substituted).</param>
    /// <param name="context">The build context.</param>
    /// <param name="work">The build's work directory; git runs there to list a repository's refs (nothing is written).</param>
    /// <param name="log">Told at debug level why a remote source makes the step uncached.</param>
    /// <param name="sshAuthSocket">The ssh agent git sources are fetched with (<c>--ssh default=…</c>); null for the process's own.</param>
    /// <param name="cancellationToken">Stops requests and reading.</param>
    /// <returns>
    /// The digest; null when a remote source cannot be identified without downloading it (a URL
    /// whose server gives neither ETag nor Last-Modified, or an unreachable source): the step is
    /// then not cached.
    /// </returns>
    /// <exception cref="BuildException">A flag or git URL is invalid, as the step would say.</exception>
    /// <exception cref="BuildContextException">A local source names nothing, as the step would say.</exception>
    public async Task<SourceDigest?> DigestAddAsync(
        AddInstruction add, IFileSource context, WorkDirectory work, IBuildLog log, string? sshAuthSocket, CancellationToken cancellationToken)
    {
        var kinds = add.Sources.Select(AddSources.Classify).ToArray();
        var (httpChecksum, gitChecksum) = AddStep.ParseChecksum(add, kinds);
        var local = AddStep.ResolveLocalSources(add, context, kinds);
        var excludes = CopyFiles.Excludes(add.Excludes);

        // Sources in the order written: a later one may overwrite what an earlier one added.
        var parts = new List<SourcePart>();
        for (var i = 0; i < add.Sources.Count; i++)
        {
            var text = add.Sources[i];
            SourceFileDigest? identity;
            switch (kinds[i])
            {
                case AddSourceKind.Http:
                    identity = await RemoteSourceIdentity.OfUrlAsync(text, httpChecksum, log, cancellationToken).ConfigureAwait(false);
                    break;
                case AddSourceKind.Git:
                    var (source, options) = AddStep.GitCheckoutOf(add, text, gitChecksum, sshAuthSocket);
                    identity = await RemoteSourceIdentity.OfGitAsync(source, options, work.Path, log, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    var entries = new List<SourceEntry>();
                    foreach (var entry in local[i])
                    {
                        Collect(context, entry, excludes, entries, cancellationToken);
                    }

                    parts.Add(new SourcePart(entries));
                    continue;
            }

            if (identity is null)
            {
                return null;
            }

            parts.Add(new SourcePart([], identity));
        }

        return await DigestAsync(parts, withOwners: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Digests what a RUN bind mount shows of <paramref name="path"/> in <paramref name="source"/>, owners included (the command sees them).</summary>
    /// <exception cref="BuildContextException">The path names nothing, as the mount would say.</exception>
    public Task<SourceDigest> DigestMountAsync(string path, IFileSource source, CancellationToken cancellationToken)
    {
        var entries = new List<SourceEntry>();
        foreach (var local in CopyFiles.Resolve(source, path, parents: false))
        {
            Collect(source, local, excludes: null, entries, cancellationToken);
        }

        return DigestAsync([new SourcePart(entries)], withOwners: true, cancellationToken);
    }

    /// <summary>What copying <paramref name="local"/> reads, in the order <see cref="CopyFiles.Copy"/> copies it.</summary>
    private static void Collect(IFileSource source, LocalSource local, DockerIgnore? excludes, List<SourceEntry> entries, CancellationToken cancellationToken)
    {
        if (!local.IsDirectory)
        {
            if (!CopyFiles.IsExcluded(excludes, local))
            {
                entries.Add(new SourceEntry(local.Entry.Path, local.Entry.FullPath, SourceEntryRole.File));
            }

            return;
        }

        var root = local.Entry.Path;
        entries.Add(new SourceEntry(root, local.Entry.FullPath, SourceEntryRole.DirectorySource));
        foreach (var entry in source.EnumerateDirectory(local.Entry, CopyFiles.FilterBelow(local, excludes), cancellationToken))
        {
            var role = entry.Type switch
            {
                ContextEntryType.Directory => SourceEntryRole.Directory,
                ContextEntryType.Symlink => SourceEntryRole.Symlink,
                _ => SourceEntryRole.File,
            };
            entries.Add(new SourceEntry(root == "." ? entry.Path : root + "/" + entry.Path, entry.FullPath, role, entry.LinkTarget));
        }
    }

    private async Task<SourceDigest> DigestAsync(IReadOnlyList<SourcePart> parts, bool withOwners, CancellationToken cancellationToken)
    {
        // Every local entry read in one parallel pass, whatever source it came from.
        var digests = await _entries.DigestAsync([.. parts.SelectMany(p => p.Entries)], withOwners, cancellationToken).ConfigureAwait(false);
        var files = new List<SourceFileDigest>(digests.Count);
        var next = 0;
        foreach (var part in parts)
        {
            if (part.Identity is { } identity)
            {
                files.Add(identity);
            }

            foreach (var _ in part.Entries)
            {
                if (digests[next++] is { } digest)
                {
                    files.Add(digest);
                }
            }
        }

        return new SourceDigest(SourceEntryRecord.OfList(files), files);
    }

    /// <summary>One source of the instruction: the entries it reads, or for a remote source its identity.</summary>
    private sealed record SourcePart(IReadOnlyList<SourceEntry> Entries, SourceFileDigest? Identity = null);
}
