using PolicyLab.Cluster;

namespace PolicyLab.Tests.Cluster;

public sealed class ClusterSpecTests
{
    [Theory]
    [InlineData("localhost", MembershipKind.Localhost, "localhost", 11111)]
    [InlineData("localhost:23000", MembershipKind.Localhost, "localhost", 23000)]
    [InlineData("LOCALHOST:23000", MembershipKind.Localhost, "localhost", 23000)]
    [InlineData("redis://127.0.0.1:6379", MembershipKind.Redis, "127.0.0.1", 6379)]
    [InlineData("redis://cache.internal:6380/", MembershipKind.Redis, "cache.internal", 6380)]
    public void Accepted_forms_parse(string text, MembershipKind kind, string host, int port)
    {
        ClusterSpec spec = ClusterSpec.Parse(text);
        Assert.Equal(new ClusterSpec(kind, host, port), spec);
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost:")]
    [InlineData("localhost:abc")]
    [InlineData("localhost:80")]
    [InlineData("localhost:65535")]
    [InlineData("localhost:1:2")]
    [InlineData("example.com:11111")]
    [InlineData("redis://")]
    [InlineData("redis://host")]
    [InlineData("redis://host:0")]
    [InlineData("tcp://localhost:11111")]
    public void Malformed_specs_are_refused_with_the_accepted_forms(string text)
    {
        var e = Assert.Throws<PolicyLabException>(() => ClusterSpec.Parse(text));
        Assert.Contains("localhost:PORT", e.Message, StringComparison.Ordinal);
        Assert.Contains("redis://HOST:PORT", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("x/y")]
    public void Bad_cluster_ids_are_refused(string id) =>
        Assert.Throws<PolicyLabException>(() => ClusterNaming.Check(id));
}
