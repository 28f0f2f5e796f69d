namespace Drydock.Dockerfile;

/// <summary>AST node → typed instruction, with BuildKit's per-instruction validation.</summary>
internal static class InstructionParser
{
    public static Instruction Parse(Node node, string fileName)
    {
        var request = new InstructionRequest(node, fileName);
        try
        {
            return node.Keyword switch
            {
                Keywords.Add => AddInstruction.Parse(request),
                Keywords.Arg => ArgInstruction.Parse(request),
                Keywords.Cmd => CmdInstruction.Parse(request),
                Keywords.Copy => CopyInstruction.Parse(request),
                Keywords.Entrypoint => EntrypointInstruction.Parse(request),
                Keywords.Env => EnvInstruction.Parse(request),
                Keywords.Expose => ExposeInstruction.Parse(request),
                Keywords.From => FromInstruction.Parse(request),
                Keywords.Healthcheck => HealthcheckInstruction.Parse(request),
                Keywords.Label => LabelInstruction.Parse(request),
                Keywords.Maintainer => MaintainerInstruction.Parse(request),
                Keywords.Onbuild => OnbuildInstruction.Parse(request),
                Keywords.Run => RunInstruction.Parse(request),
                Keywords.Shell => ShellInstruction.Parse(request),
                Keywords.StopSignal => StopSignalInstruction.Parse(request),
                Keywords.User => UserInstruction.Parse(request),
                Keywords.Volume => VolumeInstruction.Parse(request),
                Keywords.Workdir => WorkdirInstruction.Parse(request),
                _ => throw UnknownInstruction(node),
            };
        }
        catch (DockerfileException e) when (!e.HasLocation)
        {
            throw e.At(request.Location);
        }
    }

    private static DockerfileException UnknownInstruction(Node node)
    {
        var known = Keywords.All.Select(k => k.ToUpperInvariant());
        var hint = Suggestions.Closest(node.KeywordAsWritten, known, caseSensitive: false) is { } close
            ? $"did you mean {close}?"
            : null;
        return new DockerfileException($"unknown instruction: {node.KeywordAsWritten}", hint);
    }
}
