namespace Drydock.IntegrationTests.Building;

/// <summary>
/// kaniko's digest files after a real push: --digest-file, --image-name-with-digest-file and
/// --image-name-tag-with-digest-file name the digest skopeo reads back from every destination.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class DigestFileTests(HttpRegistry server) : IDisposable
{
    private readonly TempDirectory _out = new("drydock-e2e-digestfiles-");

    public void Dispose() => _out.Dispose();

    [RootFact]
    public async Task The_files_name_each_destination_with_the_pushed_digest()
    {
        using var context = new ContextDirectory().Dockerfile("FROM scratch\nCOPY a.txt /\n").File("a.txt", "digest files\n");
        var repository = RegistryServer.NewRepository("digestfiles");
        var first = server.Reference($"{repository}:v1").ToString();
        var second = server.Reference($"{repository}-copy").ToString();

        var result = await DrydockRunner.BuildAsync([
            "--insecure", "-d", first, "-d", second, "--digest-file", _out.Combine("digest"),
            "--image-name-with-digest-file", _out.Combine("nested/name"), "--image-name-tag-with-digest-file=" + _out.Combine("name-tag"), context.Path]);

        var digest = DrydockRunner.Digest(result);
        var inspector = new ImageInspector(server);
        Assert.Equal(digest, await inspector.DigestAsync(first));
        Assert.Equal(digest, await inspector.DigestAsync(second));
        Assert.Equal(digest, await File.ReadAllTextAsync(_out.Combine("digest")));
        Assert.Equal($"{server.Host}/{repository}@{digest}\n{server.Host}/{repository}-copy@{digest}\n", await File.ReadAllTextAsync(_out.Combine("nested/name")));
        Assert.Equal($"{server.Host}/{repository}:v1@{digest}\n{server.Host}/{repository}-copy:latest@{digest}\n", await File.ReadAllTextAsync(_out.Combine("name-tag")));
    }
}
