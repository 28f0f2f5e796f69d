using Drydock.Cache;
using Drydock.Oci;

namespace Drydock.Tests.Cache;

public sealed class CacheKeyTests
{
    private static readonly string Parent = Digest.Sha256("parent"u8).ToString();

    private static CacheKey Key(params (string Name, string Value)[] parts) =>
        new([new(CacheKey.ParentPart, Parent), .. parts.Select(p => new CacheKeyPart(p.Name, p.Value))]);

    [Fact]
    public void The_same_parts_give_the_same_digest()
    {
        Assert.Equal(Key(("instruction", "RUN make")).Digest, Key(("instruction", "RUN make")).Digest);
    }

    [Theory]
    [InlineData("instruction", "RUN make all")]
    [InlineData("instructio", "nRUN make")]
    [InlineData("arg:A", "RUN make")]
    public void Any_difference_in_a_name_or_value_changes_the_digest(string name, string value)
    {
        Assert.NotEqual(Key(("instruction", "RUN make")).Digest, Key((name, value)).Digest);
    }

    [Fact]
    public void Parts_cannot_run_together_into_the_same_text()
    {
        Assert.NotEqual(Key(("a", "b\n"), ("c", "d")).Digest, Key(("a", "b"), ("\nc", "d")).Digest);
    }

    [Fact]
    public void A_part_name_may_appear_once()
    {
        Assert.Throws<ArgumentException>(() => Key(("x", "1"), ("x", "2")));
    }

    [Fact]
    public void The_tag_starts_with_what_the_key_builds_on_and_ends_with_the_key()
    {
        var key = Key(("instruction", "RUN make"));

        Assert.Equal(Parent["sha256:".Length..][..16] + "-" + key.Digest.Hex, key.Tag);
        Assert.StartsWith(CacheTags.PrefixOf(Parent), key.Tag, StringComparison.Ordinal);
        Assert.True(CacheTags.IsEntry(key.Tag));
        Assert.True(key.Tag.Length <= 128, "a registry tag is at most 128 characters");
    }

    [Fact]
    public void A_hidden_value_is_its_digest_and_never_the_value()
    {
        var hidden = CacheKey.Hidden("s3cr3t");

        Assert.DoesNotContain("s3cr3t", hidden, StringComparison.Ordinal);
        Assert.Equal(hidden, CacheKey.Hidden("s3cr3t"));
        Assert.NotEqual(hidden, CacheKey.Hidden("s3cr3T"));
    }
}
