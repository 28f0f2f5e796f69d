using Drydock.Oci;

namespace Drydock.Cache;

/// <summary>
/// What a COPY or ADD reads, digested for its cache key: one digest over every source file, and
/// each file's own digest by path, so that a miss can name the file that changed.
/// </summary>
/// <param name="Digest">The digest of <paramref name="Files"/>, in their order.</param>
/// <param name="Files">Every file, directory and link the step reads, by its path relative to its source, in a stable order.</param>
public sealed record SourceDigest(Digest Digest, IReadOnlyList<SourceFileDigest> Files);

/// <summary>One source entry's digest: its kind, mode and content (or link target), never its times or owners.</summary>
public sealed record SourceFileDigest(string Path, Digest Digest);
