using System.Globalization;
using System.Text;

namespace Drydock.Bench;

/// <summary>
/// The build context of a small but realistic service: a source tree of a few hundred files that a
/// builder stage "compiles" (awk, gzip, sha256sum, tar: what a minimal Debian has, no network), and a
/// final stage that takes the result and the configuration, adds a system user and runs as it.
/// The content is fixed, so every run and every tool builds the same thing.
/// </summary>
internal static class MultiStageProject
{
    /// <summary>The files under src/: 20 modules of 15 units and a header each.</summary>
    public const int SourceFiles = Modules * (UnitsPerModule + 1);

    private const int Modules = 20;

    private const int UnitsPerModule = 15;

    private const string DockerfileTemplate = """
        FROM {0} AS builder
        ARG VERSION=1.0.0
        ENV LANG=C.UTF-8
        WORKDIR /src
        COPY src/ ./
        RUN set -e; \
            for f in $(find . -name '*.c' | sort); do \
              o="/build/obj/${{f%.c}}.o"; mkdir -p "$(dirname "$o")"; \
              awk '{{ print toupper($0) }}' "$f" | gzip -6 > "$o"; \
            done; \
            find /build/obj -type f | sort | xargs sha256sum > /build/SHA256SUMS
        RUN set -e; mkdir -p /out/bin /out/lib; \
            tar -C /build -czf /out/lib/app.tar.gz obj SHA256SUMS; \
            cp /build/SHA256SUMS /out/lib/; \
            printf '#!/bin/sh\necho "app %s: $(wc -l < /opt/app/lib/SHA256SUMS) objects"\n' "$VERSION" > /out/bin/app; \
            chmod 0755 /out/bin/app

        FROM {0}
        WORKDIR /opt/app
        COPY --from=builder /out/ ./
        COPY config/ /etc/app/
        RUN useradd --system --uid 990 --home-dir /opt/app --shell /usr/sbin/nologin app \
         && chown -R app:app /opt/app && chmod -R go-w /etc/app
        USER app
        EXPOSE 8080
        CMD ["/opt/app/bin/app"]

        """;

    /// <summary>The steps a cache can serve (WORKDIR, COPY, RUN): 4 in the builder, 4 in the final stage.</summary>
    public const int CacheableSteps = 8;

    /// <summary>Writes the context (Dockerfile, src/, config/) into a new <paramref name="directory"/>, building FROM <paramref name="baseImage"/>.</summary>
    public static void Write(string directory, string baseImage)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        for (var module = 1; module <= Modules; module++)
        {
            var moduleDirectory = Path.Combine(directory, "src", $"mod{module:00}");
            Directory.CreateDirectory(moduleDirectory);
            for (var unit = 1; unit <= UnitsPerModule; unit++)
            {
                File.WriteAllText(Path.Combine(moduleDirectory, $"unit{unit:00}.c"), Unit(module, unit));
            }

            File.WriteAllText(Path.Combine(moduleDirectory, "module.h"), $"#pragma once\n#define MODULE {module}\n");
        }

        var config = Directory.CreateDirectory(Path.Combine(directory, "config")).FullName;
        File.WriteAllText(Path.Combine(config, "app.conf"), "listen = 0.0.0.0:8080\nworkers = 4\n");
        File.WriteAllText(Path.Combine(config, "logging.conf"), "level = info\nformat = json\n");
        File.WriteAllText(Path.Combine(directory, ".dockerignore"), "*.tmp\n");
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), string.Format(CultureInfo.InvariantCulture, DockerfileTemplate, baseImage));
    }

    // About 4 KB of C-like text: a source file of ordinary size.
    private static string Unit(int module, int unit)
    {
        var text = new StringBuilder($"#include \"module.h\"\n\n");
        for (var function = 1; function <= 60; function++)
        {
            text.Append(CultureInfo.InvariantCulture, $"int mod{module}_unit{unit}_fn{function}(int x) {{ return x * {function} + MODULE; }}\n");
        }

        return text.ToString();
    }
}
