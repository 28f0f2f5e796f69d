using Drydock.Dockerfile;
using Drydock.Layers;
using Drydock.Oci;
using Drydock.Registry;

namespace Drydock.Building;

/// <summary>
/// Uploads each new layer of the image being pushed while it is still being compressed
/// (<see cref="EarlyBlobUploads"/>), so the push at the end has less left to send. Only the layers
/// of the stages the target image is built on go: a builder stage's layers never reach a registry.
/// One per platform built; the uploads are the whole build's.
/// </summary>
internal sealed class LayerStreaming
{
    private readonly HashSet<int> _stages;

    /// <param name="uploads">The build's uploads (see <see cref="UploadsFor"/>), or null when nothing is streamed.</param>
    /// <param name="stages">The target stage and the stages its FROM builds on.</param>
    public LayerStreaming(EarlyBlobUploads? uploads, IEnumerable<Stage> stages)
    {
        Uploads = uploads;
        _stages = stages.Select(s => s.Index).ToHashSet();
    }

    /// <summary>The uploads for the push to skip, or null when nothing is streamed.</summary>
    public EarlyBlobUploads? Uploads { get; }

    /// <summary>
    /// The build's early uploads when it pushes to a registry, else null. Disposing them cancels
    /// the ones still running, as when the build fails.
    /// </summary>
    public static EarlyBlobUploads? UploadsFor(BuildOutputs outputs, RegistryClientPool registries, IBuildLog log) =>
        outputs.Push ? new EarlyBlobUploads(registries, outputs.Destinations, log.Debug) : null;

    /// <summary>
    /// Runs the layer writer (<paramref name="write"/>, given the hook for <see cref="LayerWriter.WriteToDirectoryAsync"/>),
    /// streaming the layer when its stage counts, and tells the uploads how the writing ended.
    /// </summary>
    public async Task<FileLayer> WriteAsync(Stage stage, Func<Func<FileStream, Stream>?, Task<FileLayer>> write)
    {
        if (Uploads is not { } uploads || !_stages.Contains(stage.Index))
        {
            return await write(null).ConfigureAwait(false);
        }

        GrowingFile? blob = null;
        try
        {
            var layer = await write(file =>
            {
                blob = new GrowingFile(file.Name);
                uploads.Start(blob);
                return blob.Track(file);
            }).ConfigureAwait(false);
            blob?.Complete(layer.Descriptor);
            return layer;
        }
        catch (Exception e)
        {
            blob?.Fail(e);
            throw;
        }
    }
}
