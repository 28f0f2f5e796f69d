using Drydock.Building;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.TestSupport;

namespace Drydock.Tests.Building;

/// <summary>kaniko's digest files, byte for byte: what its push.go writes for the same destinations.</summary>
public sealed class DigestFilesTests
{
    private static readonly Digest Built = Digest.Parse("sha256:" + new string('a', 64));

    [Fact]
    public async Task Each_file_holds_kanikos_format()
    {
        using var directory = new TempDirectory("drydock-digestfiles-");
        var destinations = new[] { "127.0.0.1:5000/app:v1", "busybox", "registry.example/team/app@" + Built }.Select(ImageReference.Parse).ToArray();
        var outputs = new BuildOutputs(destinations, Push: true, null, null, directory.Combine("digest"))
        {
            ImageNameWithDigestFile = directory.Combine("names/name"),
            ImageNameTagWithDigestFile = directory.Combine("name-tag"),
        };

        await DigestFiles.WriteAsync(outputs, Built, CancellationToken.None);

        Assert.Equal(Built.ToString(), await File.ReadAllTextAsync(directory.Combine("digest")));
        Assert.Equal(
            $"127.0.0.1:5000/app@{Built}\nindex.docker.io/library/busybox@{Built}\nregistry.example/team/app@{Built}\n",
            await File.ReadAllTextAsync(directory.Combine("names/name")));
        Assert.Equal(
            $"127.0.0.1:5000/app:v1@{Built}\nindex.docker.io/library/busybox:latest@{Built}\nregistry.example/team/app@{Built}\n",
            await File.ReadAllTextAsync(directory.Combine("name-tag")));
    }
}
