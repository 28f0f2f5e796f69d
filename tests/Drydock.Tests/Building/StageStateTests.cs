using Drydock.Building;
using Drydock.Oci;

namespace Drydock.Tests.Building;

public sealed class StageStateTests
{
    [Fact]
    public void Env_overrides_an_arg_of_the_same_name_for_expansion()
    {
        var state = new StageState(new ImageConfig { Config = new ContainerConfig { Env = ["A=env", "PATH=/bin"] } }, [], dockerMediaTypes: false);
        state.DeclareArg("A", "arg");
        state.DeclareArg("B", "arg");
        var variables = state.Variables();
        Assert.Equal("env", variables["A"]);
        Assert.Equal("arg", variables["B"]);
    }

    [Fact]
    public void Run_environment_adds_args_and_proxies_that_env_does_not_set()
    {
        var state = new StageState(new ImageConfig { Config = new ContainerConfig { Env = ["A=env"] } }, [], dockerMediaTypes: false);
        state.DeclareArg("A", "arg");
        state.DeclareArg("B", "arg");
        var env = state.RunEnvironment([KeyValuePair.Create("HTTP_PROXY", "http://proxy")]);
        Assert.Equal(["A=env", "HTTP_PROXY=http://proxy", "B=arg", "PATH=" + ConfigEdits.DefaultPath], env);
    }

    [Fact]
    public void Image_keeps_base_history_and_marks_config_only_steps_empty()
    {
        var baseConfig = new ImageConfig { History = [new HistoryEntry { CreatedBy = "base" }] };
        var state = new StageState(baseConfig, [], dockerMediaTypes: true);
        state.AddEmptyLayerHistory("ENV A=1", null);
        var image = state.ToImage(DateTimeOffset.UnixEpoch);

        Assert.Equal(["base", "ENV A=1"], image.Config.History.Select(h => h.CreatedBy));
        Assert.True(image.Config.History[1].EmptyLayer);
        Assert.Equal("1970-01-01T00:00:00Z", image.Config.Created?.Text);
        Assert.Equal(MediaTypes.DockerManifest, image.MediaType);
    }
}
