namespace Drydock.IntegrationTests.Layers;

/// <summary>
/// The Dockerfiles both builders build. Each starts FROM scratch with a static busybox, so no
/// base image is pulled. Every step is written so that it means the same under any builder.
/// </summary>
internal static class DifferentialDockerfiles
{
    public const string Changes = "changes";
    public const string Big = "big";

    private const string Busybox = """
        FROM scratch
        COPY busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]

        """;

    public static IReadOnlyList<(string Name, string Text)> All { get; } =
    [
        (Changes, Busybox + """
            RUN mkdir -p /etc /tmp /data/keep /data/tree/a/b /data/gone-tree/x /data/replace-dir/sub /data/empty-later \
             && chmod 1777 /tmp \
             && echo one > /data/keep/file && echo two > /data/keep/stays && echo tree > /data/tree/a/b/leaf \
             && echo x > /data/gone-tree/x/y && echo sub > /data/replace-dir/sub/f && echo f > /data/replace-by-dir \
             && echo target > /data/link-target && echo owned > /data/owned && echo moded > /data/moded \
             && echo shared > /data/hl-a && ln /data/hl-a /data/hl-b
            RUN rm /data/keep/file && rm -rf /data/gone-tree \
             && rm -rf /data/replace-dir && echo now-a-file > /data/replace-dir \
             && rm /data/replace-by-dir && mkdir /data/replace-by-dir && echo in > /data/replace-by-dir/in \
             && ln /data/link-target /data/link-across \
             && ln -s /data/link-target /data/absolute-link && ln -s ../data/link-target /data/relative-link \
             && ln -s /nowhere /data/dangling-link \
             && echo s > /data/setuid && chmod 4755 /data/setuid && echo g > /data/setgid && chmod 2755 /data/setgid \
             && mkdir /data/sticky && chmod 1777 /data/sticky \
             && chown 1000:1000 /data/owned && chmod 600 /data/moded \
             && mkdir -p /data/empty/dir "/data/with space" && echo u > "/data/with space/ünïcødé ☃" \
             && long=; i=0; while [ $i -lt 210 ]; do long=${long}n; i=$((i+1)); done; echo long > /data/$long
            RUN rm -rf /data/tree/a && chown 1000:1000 /data/link-target && chmod 700 /data/empty-later
            """),
        (Big, Busybox + """
            RUN mkdir /many && cd /many && i=0 && while [ $i -lt 50000 ]; do echo $i > f$i; i=$((i+1)); done \
             && truncate -s 1G /big
            """),
    ];
}
