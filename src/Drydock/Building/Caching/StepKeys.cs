using System.Globalization;
using System.Text;
using Drydock.Building.Steps;
using Drydock.Cache;
using Drydock.Context.Remote;
using Drydock.Dockerfile;
using Drydock.Layers;

namespace Drydock.Building.Caching;

/// <summary>
/// Makes a step's cache key: the key before it, the stage's base, the platform and the layer
/// format, the instruction after expansion, and what the step can see. RUN sees the environment,
/// user, working directory, shell and the stage's ARGs, and what its mounts read; COPY and ADD the
/// working directory and the content of their sources (a stage by its layers, an image by its
/// digest, the context file by file); WORKDIR the user. Null means the step cannot be keyed (an ADD
/// of a URL whose server names no version of it): it runs.
/// </summary>
internal sealed class StepKeys(SourceDigester sources)
{
    public async Task<CacheKey?> ForAsync(Instruction instruction, StepContext step, KeyChain chain, CancellationToken cancellationToken)
    {
        var config = step.State.Config.Config;
        var parts = new List<CacheKeyPart>
        {
            new(CacheKey.ParentPart, chain.Parent),
            new(CacheKey.BasePart, chain.Base),
            new("platform", step.Platform.ToString()),
            new("layer format", LayerFormat(step.Build.LayerWrite)),
        };
        SourceDigest? digest = null;
        switch (instruction)
        {
            case RunInstruction run:
                parts.Add(new(CacheKey.InstructionPart, RunText(run)));
                parts.Add(new("environment, user, working directory or shell", Hidden(string.Join('\n', config.Env ?? []), config.User, config.WorkingDir, string.Join('\n', step.State.Shell))));
                parts.AddRange(step.State.Arguments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new CacheKeyPart(CacheKey.ArgumentPrefix + a.Key, CacheKey.Hidden(a.Value))));
                var mounts = RunStep.ParseMounts(run, step.State, step.Build.Document.EscapeChar);
                for (var i = 0; i < mounts.Count; i++)
                {
                    if (await MountInputAsync(mounts[i], step, cancellationToken).ConfigureAwait(false) is { } input)
                    {
                        parts.Add(new($"mount {i + 1} at {mounts[i].Target}", input));
                    }
                }

                break;
            case CopyInstruction copy:
                parts.Add(new(CacheKey.InstructionPart, FileText(copy, $"--from={copy.From} --parents={copy.Parents}")));
                parts.Add(new("working directory", config.WorkingDir ?? ""));
                if (copy.From is { } from)
                {
                    parts.Add(new("files of " + from, await step.Build.Stages.IdentityAsync(from, step.Stage, step.Platform, cancellationToken).ConfigureAwait(false)));
                }
                else if (copy.Sources.Count > 0)
                {
                    digest = await sources.DigestCopyAsync(copy, step.Build.Context, cancellationToken).ConfigureAwait(false);
                }

                break;
            case AddInstruction add:
                parts.Add(new(CacheKey.InstructionPart, FileText(add, $"--checksum={add.Checksum} --keep-git-dir={add.KeepGitDir} --unpack={add.Unpack}")));
                parts.Add(new("working directory", config.WorkingDir ?? ""));
                if (add.Sources.Count > 0)
                {
                    digest = await sources.DigestAddAsync(add, step.Build.Context, step.Build.Work, step.Build.Log, step.Build.RunMounts.SshAuthSocket, cancellationToken).ConfigureAwait(false);
                    if (digest is null)
                    {
                        return null;
                    }
                }

                break;
            case WorkdirInstruction workdir:
                parts.Add(new(CacheKey.InstructionPart, "WORKDIR " + workdir.Path));
                parts.Add(new("user or working directory", Hidden(config.User, config.WorkingDir)));
                break;
            default:
                return null;
        }

        if (digest is not null)
        {
            parts.Add(new(CacheKey.SourcesPart, digest.Digest.ToString()));
        }

        return new CacheKey(parts, digest);
    }

    /// <summary>What changes a layer's bytes for the same files: compression, its level, and the times --reproducible sets.</summary>
    private static string LayerFormat(LayerWriteOptions write)
    {
        return string.Create(CultureInfo.InvariantCulture, $"{write.Compression} level={write.CompressionLevel} reproducible={write.Reproducible} epoch={write.SourceDateEpoch}");
    }

    /// <summary>The command as written, heredoc bodies included (variables in it are the shell's, and the environment is a part of its own).</summary>
    private static string RunText(RunInstruction run) =>
        run.Original + string.Concat(run.Heredocs.Select(h => $"\n<<{h.Name}\n{h.Content}"));

    /// <summary>A COPY or ADD after expansion, flags included; credentials in URLs hidden.</summary>
    private static string FileText(FileInstruction file, string flags)
    {
        var text = new StringBuilder(file.Keyword)
            .Append(" --chown=").Append(file.Chown).Append(" --chmod=").Append(file.Chmod).Append(" --link=").Append(file.Link)
            .Append(" --exclude=").AppendJoin(',', file.Excludes).Append(' ').Append(flags);
        foreach (var source in file.Sources)
        {
            text.Append(' ').Append(UrlCredentials.Redact(source));
        }

        text.Append(' ').Append(file.Destination);
        foreach (var inline in file.InlineSources)
        {
            text.Append("\n<<").Append(inline.Path).Append('\n').Append(inline.Data);
        }

        return text.ToString();
    }

    /// <summary>What a RUN mount reads, for the key: a stage's layers, an image's digest, or the context's files; null for what only lives during the step (caches, secrets, tmpfs, agents).</summary>
    private async Task<string?> MountInputAsync(RunMount mount, StepContext step, CancellationToken cancellationToken)
    {
        if (mount.Type is not (RunMountType.Bind or RunMountType.Cache))
        {
            return null;
        }

        if (mount.From.Length > 0)
        {
            return await step.Build.Stages.IdentityAsync(mount.From, step.Stage, step.Platform, cancellationToken).ConfigureAwait(false);
        }

        if (mount.Type == RunMountType.Cache)
        {
            return null;
        }

        var source = mount.Source.Length == 0 ? "." : mount.Source;
        return (await sources.DigestMountAsync(source, step.Build.Context, cancellationToken).ConfigureAwait(false)).Digest.ToString();
    }

    private static string Hidden(params string?[] values) => CacheKey.Hidden(string.Join('\0', values.Select(v => v ?? "")));
}
