using System.Text;
using Drydock.Oci;

namespace Drydock.Tests.Oci;

public sealed class OciJsonTests
{
    [Fact]
    public void Media_types_and_non_ascii_labels_are_written_as_plain_utf8()
    {
        var config = new ImageConfig
        {
            Architecture = "amd64",
            Os = "linux",
            Config = new ContainerConfig { Labels = new Dictionary<string, string> { ["maintainer"] = "Zoë <zoe@example.com>" } },
        };
        var manifest = new Manifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = Digest.Sha256([]), Size = 0 },
            Layers = [new Descriptor { MediaType = "application/vnd.oci.image.layer.v1.tar+gzip", Digest = Digest.Sha256([]), Size = 0 }],
        };

        var configText = Encoding.UTF8.GetString(OciJson.Serialize(config));
        var manifestText = Encoding.UTF8.GetString(OciJson.Serialize(manifest));

        Assert.Contains("\"Zoë <zoe@example.com>\"", configText, StringComparison.Ordinal);
        Assert.Contains("tar+gzip", manifestText, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", manifestText + configText, StringComparison.Ordinal);
    }
}
