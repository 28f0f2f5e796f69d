namespace Drydock.IntegrationTests.Building;

/// <summary>Contexts for FROM-scratch builds whose RUNs need a shell: the host's static busybox, copied in.</summary>
public static class RunBuildContexts
{
    /// <summary>The lines that make a FROM-scratch stage with busybox and every applet linked in /bin.</summary>
    public const string BusyboxStage = """
        FROM scratch
        COPY busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]

        """;

    /// <summary>A context holding <c>busybox</c> (mode 0755) and <paramref name="dockerfile"/>.</summary>
    public static ContextDirectory WithBusybox(string dockerfile)
    {
        var context = new ContextDirectory().Dockerfile(dockerfile);
        File.Copy("/bin/busybox", Path.Combine(context.Path, "busybox"));
        File.SetUnixFileMode(Path.Combine(context.Path, "busybox"), ContextDirectory.Mode755);
        return context;
    }
}
