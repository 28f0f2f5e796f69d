using System.CommandLine;
using Drydock.Cache;
using Drydock.Cli;
using Drydock.Context;
using Drydock.Snapshot;

namespace Drydock.Tests.Cli;

/// <summary>
/// kaniko v1.24's command lines parse unchanged: every flag, its short form, pflag's
/// <c>--flag=value</c> and boolean <c>--flag</c> / <c>--flag=true</c> / <c>--flag=false</c>
/// spellings; the layer-cache flags describe the cache.
/// </summary>
public sealed class KanikoFlagTests
{
    /// <summary>
    /// Every kaniko v1.24 flag this command owns, with a value it accepts (null for booleans).
    /// --bucket, --git and --context-sub-path (contexts) and --cleanup, --force, --ignore-var-run,
    /// --kaniko-dir and --whitelist-var-run (in-place builds) are tested with their features.
    /// </summary>
    public static TheoryData<string, string?> KanikoFlags() => new()
    {
        { "--build-arg", "A=1" },
        { "--cache-copy-layers", null },
        { "--cache-run-layers", null },
        { "--compressed-caching", null },
        { "--compression", "zstd" },
        { "--compression-level", "3" },
        { "--context", "/ctx" },
        { "--custom-platform", "linux/arm64" },
        { "--destination", "registry.example/app:1" },
        { "--digest-file", "/tmp/digest" },
        { "--dockerfile", "Dockerfile.ci" },
        { "--force-build-metadata", null },
        { "--ignore-path", "/var/cache" },
        { "--image-download-retry", "2" },
        { "--image-fs-extract-retry", "2" },
        { "--image-name-tag-with-digest-file", "/tmp/name-tag" },
        { "--image-name-with-digest-file", "/tmp/name" },
        { "--insecure", null },
        { "--insecure-pull", null },
        { "--insecure-registry", "registry.example" },
        { "--label", "a=b" },
        { "--log-format", "json" },
        { "--log-timestamp", null },
        { "--no-push", null },
        { "--no-push-cache", null },
        { "--oci-layout-path", "/tmp/layout" },
        { "--push-ignore-immutable-tag-errors", null },
        { "--push-retry", "3" },
        { "--registry-certificate", "registry.example=/tmp/ca.pem" },
        { "--registry-client-cert", "registry.example=/tmp/c.pem,/tmp/k.pem" },
        { "--registry-map", "index.docker.io=mirror.example" },
        { "--registry-mirror", "mirror.example" },
        { "--reproducible", null },
        { "--single-snapshot", null },
        { "--skip-default-registry-fallback", null },
        { "--skip-push-permission-check", null },
        { "--skip-tls-verify", null },
        { "--skip-tls-verify-pull", null },
        { "--skip-tls-verify-registry", "registry.example" },
        { "--skip-unused-stages", null },
        { "--snapshot-mode", "redo" },
        { "--snapshotMode", "time" },
        { "--tar-path", "/tmp/image.tar" },
        { "--target", "build" },
        { "--use-new-run", null },
        { "--verbosity", "debug" },
    };

    [Theory]
    [MemberData(nameof(KanikoFlags))]
    public void Every_flag_is_accepted_in_each_of_pflags_spellings(string flag, string? value)
    {
        string[][] spellings = value is null
            ? [[flag], [$"{flag}=true"], [$"{flag}=false"]]
            : [[flag, value], [$"{flag}={value}"]];
        foreach (var spelling in spellings)
        {
            var (flags, result) = Parse([.. spelling, "--destination", "registry.example/app"]);

            Assert.True(result.Errors.Count == 0, $"{string.Join(' ', spelling)}: {string.Join("; ", result.Errors.Select(e => e.Message))}");
            _ = flags.ToOptions(result);
        }
    }

    [Theory]
    [InlineData("-c", "/ctx")]
    [InlineData("-f", "Dockerfile.ci")]
    [InlineData("-d", "registry.example/app")]
    [InlineData("-v", "trace")]
    public void Kanikos_short_forms_are_accepted(string flag, string value)
    {
        var (_, result) = Parse([flag, value, "--destination", "registry.example/app"]);

        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Short_forms_read_as_their_long_flags()
    {
        var (flags, result) = Parse(["-c", "/ctx", "-f", "ci/Dockerfile", "-d", "registry.example/app:1"]);
        var options = flags.ToOptions(result);

        Assert.Equal(("/ctx", "ci/Dockerfile", "registry.example/app:1"), (options.Context.Location, options.Dockerfile, options.Destinations.Single().ToString()));
    }

    [Theory]
    [InlineData("-b", "ctx-bucket", "gs://ctx-bucket")]
    [InlineData("--bucket", "ctx-bucket/dir/context.tar.gz", "gs://ctx-bucket/dir/context.tar.gz")]
    [InlineData("--bucket", "s3://other/context.tar.gz", "s3://other/context.tar.gz")]
    public void A_bucket_names_a_cloud_storage_context_as_kaniko_reads_it(string flag, string value, string shown)
    {
        var (flags, result) = Parse([flag, value, "--no-push"]);
        var options = flags.ToOptions(result);

        Assert.Equal((ContextKind.Bucket, shown), (options.Context.Kind, options.Context.Shown));
    }

    [Fact]
    public void A_bucket_and_a_context_together_are_refused()
    {
        var (_, result) = Parse(["--bucket", "ctx-bucket", "--context", "/ctx", "--no-push"]);

        Assert.Contains(result.Errors, e => e.Message.Contains("either --bucket or --context", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--no-push", false)]
    [InlineData("--no-push=true", true)]
    [InlineData("--no-push=false", false)]
    public void A_boolean_takes_true_or_false_after_an_equals_sign(string spelling, bool expected)
    {
        var (flags, result) = Parse(["--reproducible", spelling == "--no-push" ? "--no-push=false" : spelling, "--destination", "registry.example/app"]);
        var options = flags.ToOptions(result);

        Assert.Equal(expected, options.NoPush);
        Assert.True(options.Reproducible);
    }

    [Fact]
    public void The_push_flags_reach_the_options()
    {
        var (flags, result) = Parse([
            "--destination", "registry.example/app", "--skip-push-permission-check", "--push-ignore-immutable-tag-errors=true",
            "--image-name-with-digest-file=/tmp/a", "--image-name-tag-with-digest-file", "/tmp/b"]);
        var options = flags.ToOptions(result);

        Assert.Equal((true, true, "/tmp/a", "/tmp/b"), (options.SkipPushPermissionCheck, options.PushIgnoreImmutableTagErrors, options.ImageNameWithDigestFile, options.ImageNameTagWithDigestFile));
    }

    [Fact]
    public void The_push_check_is_on_unless_skipped()
    {
        var (flags, result) = Parse(["--destination", "registry.example/app", "--skip-push-permission-check=false"]);

        Assert.False(flags.ToOptions(result).SkipPushPermissionCheck);
    }

    [Fact]
    public void Kanikos_deprecated_camel_case_names_still_work()
    {
        var (flags, result) = Parse(["--snapshotMode", "redo", "--customPlatform", "linux/arm64", "--tarPath", "/tmp/i.tar", "--no-push"]);
        var options = flags.ToOptions(result);

        Assert.Equal((SnapshotMode.Redo, "linux/arm64", "/tmp/i.tar"), (options.SnapshotMode, options.Platforms.Single().ToString(), options.TarPath));
    }

    [Theory]
    [InlineData("--destination a --destination b", 2)]
    [InlineData("-d a -d b -d c", 3)]
    public void Repeated_list_flags_add_up(string line, int count)
    {
        var (flags, result) = Parse(line.Split(' '));

        Assert.Equal(count, flags.ToOptions(result).Destinations.Count);
    }

    [Fact]
    public void An_unknown_flag_is_said_alone_not_with_the_words_it_left_unmatched()
    {
        var (_, result) = Parse(["--work-dir", "/tmp/work", "--no-push", "context"]);

        Assert.True(result.Errors.Count > 1, "the parser reports the words after the unknown flag too");
        Assert.Equal("unknown flag '--work-dir' (or a flag missing its value)", Assert.Single(Entry.Reported(result.Errors)).Message);
    }

    [Fact]
    public void The_layer_cache_flags_describe_the_cache()
    {
        var (flags, result) = Parse(["--cache=true", "--cache-repo", "registry.example/cache", "--cache-ttl", "6h", "--cache-copy-layers", "--cache-run-layers=false", "--no-push-cache", "--destination", "registry.example/app"]);

        Assert.Empty(result.Errors);
        var cache = flags.ToOptions(result).LayerCache;
        Assert.Equal(new LayerCacheOptions("registry.example/cache") { CopyLayers = true, RunLayers = false, Store = false, Ttl = TimeSpan.FromHours(6) }, cache);
    }

    [Fact]
    public void Without_cache_the_other_cache_flags_change_nothing()
    {
        var (flags, result) = Parse(["--cache-repo", "registry.example/cache", "--cache-copy-layers", "--destination", "registry.example/app"]);

        Assert.Empty(result.Errors);
        Assert.Null(flags.ToOptions(result).LayerCache);
    }

    [Fact]
    public void The_cache_defaults_are_kanikos()
    {
        var (flags, result) = Parse(["--cache", "--destination", "registry.example/app"]);

        Assert.Equal(new LayerCacheOptions() { RunLayers = true, CopyLayers = false, Store = true, Ttl = TimeSpan.FromDays(14) }, flags.ToOptions(result).LayerCache);
    }

    [Fact]
    public void A_named_cache_dir_is_used_without_cache()
    {
        var (flags, result) = Parse(["--cache-dir", "/tmp/warm", "--cache-ttl", "1h", "--destination", "registry.example/app"]);

        var options = flags.ToOptions(result);
        Assert.Equal("/tmp/warm", options.BaseImageCacheDirectory);
        Assert.Equal(TimeSpan.FromHours(1), options.BaseImageCacheTtl);
    }

    [Theory]
    [InlineData("--cache-ttl", "soon")]
    [InlineData("--cache-ttl", "-5m")]
    [InlineData("--cache-repo", "oci:")]
    public void A_bad_cache_value_is_one_error(string flag, string value)
    {
        var (_, result) = Parse([flag, value, "--destination", "registry.example/app"]);

        Assert.StartsWith(flag, Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--cache --no-push")]
    [InlineData("--cache --no-push --destination registry.example/app")]
    public void A_cache_with_nowhere_to_live_is_refused(string line)
    {
        var (_, result) = Parse(line.Split(' '));

        Assert.Contains("--cache-repo", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_local_cache_needs_no_destination()
    {
        var (flags, result) = Parse(["--cache", "--cache-repo", "oci:/tmp/layers", "--no-push"]);

        Assert.Empty(result.Errors);
        Assert.Equal("oci:/tmp/layers", flags.ToOptions(result).LayerCache?.Repository);
    }

    [Theory]
    [InlineData("--image-name-with-digest-file")]
    [InlineData("--image-name-tag-with-digest-file")]
    public void The_image_name_files_need_a_destination(string flag)
    {
        var (_, result) = Parse([flag, "/tmp/f", "--no-push"]);

        Assert.Contains("--destination", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--target a --target b", "b")]
    [InlineData("--target=a --no-push --target b", "b")]
    [InlineData("--target a -v debug --target=c", "c")]
    public void A_single_value_flag_given_again_replaces_the_earlier_value_as_in_pflag(string line, string target)
    {
        var (flags, result) = Parse([.. line.Split(' '), "--no-push"]);

        Assert.Empty(result.Errors);
        Assert.Equal(target, flags.ToOptions(result).Target);
    }

    [Theory]
    [InlineData("--no-push=false --no-push", true)]
    [InlineData("--no-push --no-push=false --destination registry.example/app", false)]
    [InlineData("--no-push true --no-push false --destination registry.example/app", false)]
    public void A_boolean_given_again_takes_its_last_value(string line, bool noPush)
    {
        var (flags, result) = Parse(line.Split(' '));

        Assert.Empty(result.Errors);
        Assert.Equal(noPush, flags.ToOptions(result).NoPush);
    }

    [Fact]
    public void Repeatable_flags_still_add_up_and_values_after_a_double_dash_are_left_alone()
    {
        string[] args = ["--destination", "r.example/a", "--target", "x", "--destination", "r.example/b", "--target", "y", "--", "--target", "z"];
        var command = new Command("executor");
        new BuildFlags(_ => null).AddTo(command);

        Assert.Equal(["--destination", "r.example/a", "--destination", "r.example/b", "--target", "y", "--", "--target", "z"], RepeatedFlags.KeepLast(command, args));
    }

    [Theory]
    [InlineData("text", LogFormat.Text)]
    [InlineData("color", LogFormat.Color)]
    [InlineData("json", LogFormat.Json)]
    public void The_log_flags_give_the_log_settings(string format, LogFormat expected)
    {
        var (flags, result) = Parse(["--log-format", format, "--log-timestamp", "-v", "warn", "--no-push"]);

        Assert.Equal(new LogSettings(Verbosity.Warn, expected, Timestamps: true), flags.Log.ToSettings(result));
    }

    private static (BuildFlags Flags, ParseResult Result) Parse(string[] arguments)
    {
        var flags = new BuildFlags(_ => null);
        var command = new Command("executor");
        flags.AddTo(command);
        return (flags, command.Parse(RepeatedFlags.KeepLast(command, arguments)));
    }
}
