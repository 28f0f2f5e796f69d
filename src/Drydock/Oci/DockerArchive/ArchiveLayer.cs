namespace Drydock.Oci.DockerArchive;

/// <summary>A layer stored as a file inside a docker-archive tarball, read in place when opened.</summary>
internal sealed class ArchiveLayer(TarMembers archive, TarMember member, Descriptor descriptor, Digest diffId) : ILayer
{
    public Descriptor Descriptor { get; } = descriptor;

    public Digest DiffId { get; } = diffId;

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Stream stream = new VerifyingStream(archive.Open(member), Descriptor.Digest, Descriptor.Size, $"layer {member.Name} of {archive.Path}");
        return Task.FromResult(stream);
    }
}
