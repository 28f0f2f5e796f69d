namespace Drydock.IntegrationTests.Building;

/// <summary>
/// RUN sees the sandbox's own /etc/hosts, mounted over whatever the image has; the image must keep
/// its own file afterwards, untouched by the mount and by the clean-up of mount points.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class SandboxMountPointTests(HttpRegistry server) : IDisposable
{
    private const string ImageHosts = "# the image's own hosts file\n10.0.0.1 from-the-image\n";

    private readonly TempDirectory _work = new("drydock-e2e-mounts-");

    [RootFact]
    public async Task A_hosts_file_the_image_already_has_survives_RUN_and_is_not_rewritten_by_it()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var context = new ContextDirectory()
            .Dockerfile($"FROM {seeded.Reference}\nCOPY hosts /etc/hosts\nRUN cat /etc/hosts > /seen-by-run.txt\n")
            .File("hosts", ImageHosts);
        var reference = server.Reference(RegistryServer.NewRepository("mounts") + ":latest").ToString();

        var result = await DrydockRunner.BuildAsync(["--insecure", "--destination", reference, context.Path]);

        DrydockRunner.Digest(result);
        var image = await new ImageInspector(server).UnpackAsync(reference, _work.Path);
        Assert.Equal(ImageHosts, await File.ReadAllTextAsync(image.HostPath("/etc/hosts")));
        Assert.Equal(new FileStat("regular file", 0b110_100_100, 0, 0), await ImageInspector.StatAsync(image.HostPath("/etc/hosts")));
        Assert.Contains("localhost", await File.ReadAllTextAsync(image.HostPath("/seen-by-run.txt")), StringComparison.Ordinal);
        Assert.False(ImageInspector.Exists(image.HostPath("/etc/resolv.conf")), "the base has no resolv.conf, so the image must not either");

        var layers = await ImageInspector.LayerEntriesAsync(image.Layout, image.Tag);
        var runLayer = layers[^1];
        Assert.True(!runLayer.Contains("etc/hosts"), $"the RUN layer must not carry the mounted hosts file: {string.Join(", ", runLayer)}");
    }

    public void Dispose() => _work.Dispose();
}
