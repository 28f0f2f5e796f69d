using Drydock.Sandbox;

namespace Drydock.Tests.Sandbox;

/// <summary>kaniko's container checks, against a made-up machine.</summary>
public sealed class ContainerSignsTests
{
    [Fact]
    public void A_machine_with_no_sign_is_no_container() =>
        Assert.Null(Machine().Find());

    [Theory]
    [InlineData("/.dockerenv", "/.dockerenv exists")]
    [InlineData("/run/.containerenv", "/run/.containerenv exists")]
    [InlineData("/var/run/secrets/kubernetes.io/serviceaccount", "/var/run/secrets/kubernetes.io/serviceaccount exists")]
    [InlineData("/__runsc_containers__", "/__runsc_containers__ exists (gVisor)")]
    public void Marker_files_are_signs(string path, string reason) =>
        Assert.Equal(reason, Machine(files: [path]).Find());

    [Theory]
    [InlineData("/proc/self/cgroup", "12:memory:/docker/0123abcd\n", "/proc/self/cgroup names docker")]
    [InlineData("/proc/1/cgroup", "0::/kubepods/besteffort/pod1\n", "/proc/1/cgroup names kube")]
    [InlineData("/proc/1/cmdline", "/usr/bin/podman-init\0--\0sh", "/proc/1/cmdline names podman")]
    [InlineData("/run/systemd/container", "lxc\n", "/run/systemd/container says lxc")]
    [InlineData("/proc/mounts", "overlay / overlay rw,relatime 0 0\nproc /proc proc rw 0 0\n", "the root is an overlay mount (/proc/mounts)")]
    public void File_contents_are_signs(string path, string text, string reason) =>
        Assert.Equal(reason, Machine(texts: new() { [path] = text }).Find());

    [Fact]
    public void A_host_cgroup_and_a_plain_root_are_no_signs() =>
        Assert.Null(Machine(texts: new()
        {
            ["/proc/self/cgroup"] = "4:memory:/process_api/b53c\n0::/\n",
            ["/proc/1/cmdline"] = "/sbin/init\0",
            ["/proc/mounts"] = "/dev/vda / ext4 rw 0 0\noverlay /var/lib/x overlay rw 0 0\n",
        }).Find());

    [Theory]
    [InlineData("KUBERNETES_SERVICE_HOST", "10.0.0.1", "KUBERNETES_SERVICE_HOST is set")]
    [InlineData("container", "podman", "the container variable says podman")]
    public void Environment_variables_are_signs(string name, string value, string reason) =>
        Assert.Equal(reason, Machine(variables: new() { [name] = value }).Find());

    private static ContainerSigns Machine(string[]? files = null, Dictionary<string, string>? texts = null, Dictionary<string, string>? variables = null) =>
        new(
            path => (files ?? []).Contains(path) || (texts?.ContainsKey(path) ?? false),
            path => texts is not null && texts.TryGetValue(path, out var text) ? text : null,
            name => variables is not null && variables.TryGetValue(name, out var value) ? value : null);
}
