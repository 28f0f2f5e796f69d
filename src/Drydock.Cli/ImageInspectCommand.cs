using System.CommandLine;
using System.Text.Json;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Cli;

/// <summary>
/// `drydock image inspect REF`: the image's manifest digest, manifest and config as one JSON object
/// (an index is resolved to one platform), or with <c>--raw</c> the manifest or index exactly as
/// the registry serves it.
/// </summary>
public static class ImageInspectCommand
{
    /// <param name="environment">Looks up an environment variable; the entry point passes the process's own.</param>
    public static Command Create(Func<string, string?> environment)
    {
        var reference = new Argument<string>("REF") { Description = "The image: [REGISTRY/]REPOSITORY[:TAG][@DIGEST]." };
        var platform = new Option<string?>("--platform") { HelpName = "OS/ARCH[/VARIANT]", Description = "The platform to pick from an index (default: this machine's)." };
        var raw = new Option<bool>("--raw") { Description = "Print the manifest or index exactly as the registry serves it." };
        var registry = new RegistryFlags(environment);
        var command = new Command("inspect", "Print an image's manifest digest, manifest and config as JSON.") { reference, platform, raw };
        registry.AddTo(command);
        reference.Validators.Add(result => CommandChecks.Reference(result));
        platform.Validators.Add(result => CommandChecks.Platform(result));
        command.SetAction((result, cancellationToken) => ImageCommand.RunAsync(
            async () =>
            {
                var target = ImageReference.Parse(result.GetValue(reference)!);

                // Nothing is pushed here: the push flags (--insecure, --skip-tls-verify) name the registry read.
                var options = registry.ToOptions(result) with { PushRegistries = [target.Registry] };
                using var clients = new RegistryClientPool(options, RegistryFlags.Keychain(environment));
                var client = clients.For(target);
                await using var stdout = Console.OpenStandardOutput();
                if (result.GetValue(raw))
                {
                    var document = await client.GetManifestAsync(target, cancellationToken).ConfigureAwait(false);
                    await stdout.WriteAsync(document.Bytes, cancellationToken).ConfigureAwait(false);
                    return;
                }

                var wanted = result.GetValue(platform) is { } text ? Platform.Parse(text) : Platform.Host;
                var image = await RemoteImage.LoadAsync(client, target, wanted, cancellationToken).ConfigureAwait(false);
                await WriteAsync(stdout, image, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken));
        return command;
    }

    private static async Task WriteAsync(Stream output, RemoteImage image, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("reference", image.Reference.ToString());
        writer.WriteString("digest", image.ManifestDigest.ToString());
        writer.WriteString("mediaType", image.MediaType);
        if (image.IndexDigest is { } index)
        {
            writer.WriteString("indexDigest", index.ToString());
        }

        writer.WriteString("platform", Platform.Create(image.Config.Os ?? "", image.Config.Architecture ?? "", image.Config.Variant).ToString());
        writer.WritePropertyName("manifest");
        using (var manifest = JsonDocument.Parse(image.RawManifest))
        {
            manifest.WriteTo(writer);
        }

        writer.WritePropertyName("config");
        using (var config = JsonDocument.Parse(image.RawConfig))
        {
            config.WriteTo(writer);
        }

        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }
}
