using Drydock.Oci;
using Drydock.Tests.Layers;

namespace Drydock.Tests.Oci;

/// <summary>Small images made from tars built here (not by Drydock's layer writer), their blobs as files.</summary>
internal static class TestImages
{
    /// <summary>A tar holding one regular file.</summary>
    public static byte[] Tar(string name, string content) => new TestTar().File(name, content).ToArray();

    /// <summary>A gzip layer of one file, its blob written into <paramref name="directory"/>.</summary>
    public static FileLayer Layer(string directory, string name, string content)
    {
        var tar = Tar(name, content);
        var blob = TestTar.Gzip(tar);
        var descriptor = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Sha256(blob), Size = blob.Length };
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, descriptor.Digest.Hex);
        File.WriteAllBytes(path, blob);
        return new FileLayer(path, descriptor, Digest.Sha256(tar));
    }

    /// <summary>An image of two one-file layers for <paramref name="architecture"/>.</summary>
    public static Image Create(string directory, string architecture = "amd64", bool docker = false) =>
        Image.Create(
            new ImageConfig { Architecture = architecture, Os = "linux" },
            [Layer(directory, "etc/a", "a for " + architecture), Layer(directory, "etc/b", "b for " + architecture)],
            docker);

    /// <summary>Reads a layer's tar to its end (which verifies digest and diffID) and returns it.</summary>
    public static async Task<byte[]> ReadUncompressedAsync(ILayer layer)
    {
        await using var tar = await Drydock.Layers.LayerContent.OpenUncompressedAsync(layer, CancellationToken.None);
        var buffer = new MemoryStream();
        await tar.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Asserts that <paramref name="read"/> is <paramref name="written"/>, byte for byte where it counts.</summary>
    public static async Task AssertSameAsync(IImage written, IImage read)
    {
        Assert.Equal(written.ManifestDigest, read.ManifestDigest);
        Assert.Equal(written.MediaType, read.MediaType);
        Assert.Equal(written.RawManifest.ToArray(), read.RawManifest.ToArray());
        Assert.Equal(written.RawConfig.ToArray(), read.RawConfig.ToArray());
        Assert.Equal(written.Layers.Select(l => l.Descriptor), read.Layers.Select(l => l.Descriptor));
        Assert.Equal(written.Layers.Select(l => l.DiffId), read.Layers.Select(l => l.DiffId));
        for (var i = 0; i < written.Layers.Count; i++)
        {
            Assert.Equal(await ReadUncompressedAsync(written.Layers[i]), await ReadUncompressedAsync(read.Layers[i]));
        }
    }
}
