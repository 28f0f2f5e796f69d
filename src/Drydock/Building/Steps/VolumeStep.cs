using Drydock.Building.Copy;
using Drydock.Dockerfile;
using Drydock.Foundation.Paths;
using Drydock.Oci;

namespace Drydock.Building.Steps;

/// <summary>
/// VOLUME: adds mount points to the image config and creates each one that is missing (0755,
/// owned by root, parents too), so that <c>VOLUME /data</c> then <c>RUN echo x &gt; /data/f</c>
/// builds, as it does with kaniko, docker's classic builder and buildah (BuildKit alone leaves the
/// directory missing). Like kaniko's, the step itself makes no layer: the directory lands in the
/// next step's snapshot, and in no layer when nothing follows. What exists already (a directory
/// or anything else) is left as it is.
/// </summary>
internal sealed class VolumeStep : IStep
{
    private static readonly CopyOwner Root = new(0, 0);

    public async Task<StepResult> ExecuteAsync(Instruction instruction, StepContext step, CancellationToken cancellationToken)
    {
        var volume = (VolumeInstruction)instruction;
        step.State.UpdateConfig(c => c with
        {
            Volumes = new SortedDictionary<string, EmptyObject>(
                (c.Volumes?.ToDictionary() ?? []).Concat(volume.Volumes.Select(v => KeyValuePair.Create(v, EmptyObject.Instance))).DistinctBy(p => p.Key).ToDictionary(),
                StringComparer.Ordinal),
        });

        // Unpacking the files only to add directories no layer holds yet would cost a cached build all its layers.
        if (step.FilesReady)
        {
            CreateMissing(await step.RootfsAsync(cancellationToken).ConfigureAwait(false), volume.Volumes);
        }
        else
        {
            step.Defer(rootfs => CreateMissing(rootfs, volume.Volumes));
        }

        return StepResult.ConfigOnly(History.CreatedBy(volume));
    }

    private static void CreateMissing(string rootfs, IEnumerable<string> volumes)
    {
        var writer = new RootfsWriter(rootfs, Root, mode: null);
        foreach (var path in volumes)
        {
            // A runtime mounts a volume at an absolute path, so a relative one is taken from '/'.
            var directory = ConfigEdits.CleanAbsolute(path);
            var host = RootedPath.Resolve(rootfs, directory);
            if (!Directory.Exists(host) && !File.Exists(host))
            {
                writer.EnsureDirectory(directory);
            }
        }
    }
}
