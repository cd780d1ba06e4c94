using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PolicyLab.Cluster;

namespace PolicyLab.Tests.Cluster;

/// <summary>Self-signed certificates made in the test (no openssl): written as PFX and as PEM (certificate and key in one file).</summary>
internal static class TestCertificates
{
    public static (string Pfx, string Pem) Write(string directory, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client authentication
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        string pfx = Path.Combine(directory, name + ".pfx"), pem = Path.Combine(directory, name + ".pem");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pkcs12));
        File.WriteAllText(pem, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        return (pfx, pem);
    }
}

/// <summary>A localhost cluster started with --tls-cert (PFX), and certificates: the cluster's (also as PEM) and a stranger's.</summary>
public sealed class TlsClusterFixture : IDisposable
{
    public TlsClusterFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("policylab-cluster-tls-").FullName;
        (ClusterPfx, ClusterPem) = TestCertificates.Write(Directory, "cluster");
        (StrangerPfx, _) = TestCertificates.Write(Directory, "stranger");
        Port = ClusterProcesses.FreePortPair();
        Member = ClusterProcesses.Worker(Port, "tls-member", null, new Dictionary<string, string> { ["DOTNET_TC_QuickJit"] = "1" }, "--tls-cert", ClusterPfx);
    }

    public string Directory { get; }
    public string ClusterPfx { get; }
    public string ClusterPem { get; }
    public string StrangerPfx { get; }
    public int Port { get; }
    public RunningProcess Member { get; }

    public string Spec => ClusterFixture.Spec(Port);

    public void Dispose()
    {
        Member.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>
/// The TLS option with real processes: a driver holding the cluster's certificate (here as PEM, the worker's as PFX) runs
/// ES on the TLS worker; a driver without it or with another certificate cannot reach the cluster; a silo without it or
/// with another certificate is refused and exits with a clear error.
/// </summary>
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterTlsTests(TlsClusterFixture cluster) : IClassFixture<TlsClusterFixture>
{
    private static readonly string[] Es = ["train", "--algo", "es", "--env", "CartPole-v1", "--steps", "4000", "--seed", "2",
        "--set", "n_pairs=4", "--set", "eval_freq=0", "--set", "tensorboard=false"];

    private string Out(string name) => Path.Combine(cluster.Directory, name + "-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_driver_with_the_cluster_certificate_runs_on_the_tls_worker()
    {
        cluster.Member.WaitFor("worker ready");
        Assert.Contains(", TLS", cluster.Member.Output, StringComparison.Ordinal);
        var (code, stdout, error) = ClusterProcesses.Run([.. Es, "--out", Out("trusted"), "--cluster", cluster.Spec, "--tls-cert", cluster.ClusterPem, "--cluster-wait", "300"]);
        Assert.True(code == 0, $"exit {code}: {stdout} {error}");
        Assert.Contains("(tls-member ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_driver_without_the_certificate_or_with_another_one_is_refused()
    {
        cluster.Member.WaitFor("worker ready");
        foreach (string[] tls in new[] { Array.Empty<string>(), ["--tls-cert", cluster.StrangerPfx] })
        {
            var (code, stdout, error) = ClusterProcesses.Run([.. Es, "--out", Out("refused"), "--cluster", cluster.Spec, .. tls, "--cluster-wait", "8"]);
            Assert.True(code == 2, $"with [{string.Join(' ', tls)}]: exit {code}: {stdout} {error}");
            Assert.Contains("Cannot reach the PolicyLab cluster", error, StringComparison.Ordinal);
            Assert.Contains("certificate", error, StringComparison.Ordinal);
            Assert.DoesNotContain("tls-member", stdout, StringComparison.Ordinal);
        }
        Assert.False(cluster.Member.Process.HasExited, "the member should survive refused connections");
    }

    [Fact]
    public void A_silo_without_the_certificate_or_with_another_one_is_refused()
    {
        cluster.Member.WaitFor("worker ready");
        using RunningProcess plain = ClusterProcesses.Worker(cluster.Port, "plain");
        using RunningProcess stranger = ClusterProcesses.Worker(cluster.Port, "stranger", null, null, "--tls-cert", cluster.StrangerPfx);
        foreach (RunningProcess silo in new[] { plain, stranger })
        {
            Assert.True(silo.Process.WaitForExit(300_000), $"a silo neither joined nor gave up within 5 minutes: {silo.Output} {silo.Error}");
            silo.Process.WaitForExit();
            Assert.True(silo.Process.ExitCode == 2, $"exit {silo.Process.ExitCode}: {silo.Output} {silo.Error}");
            Assert.Contains("could not join the PolicyLab cluster", silo.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("worker ready", silo.Output, StringComparison.Ordinal);
        }
        Assert.False(cluster.Member.Process.HasExited, "the member should survive refused silos");
    }
}

/// <summary>Loading --tls-cert: PFX and PEM give the same certificate; a missing file and a certificate without its key are user errors.</summary>
public sealed class ClusterCertificateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-cert-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Pfx_and_pem_load_as_the_same_certificate_and_admit_each_other_but_not_a_stranger()
    {
        var (pfx, pem) = TestCertificates.Write(_dir, "a");
        var (strangerPfx, _) = TestCertificates.Write(_dir, "b");
        using ClusterCertificate fromPfx = ClusterCertificate.Load(pfx), fromPem = ClusterCertificate.Load(pem), stranger = ClusterCertificate.Load(strangerPfx);
        Assert.True(fromPfx.Certificate.HasPrivateKey && fromPem.Certificate.HasPrivateKey);
        Assert.True(fromPfx.Admits(fromPem.Certificate));
        Assert.True(fromPem.Admits(fromPfx.Certificate));
        Assert.False(fromPfx.Admits(stranger.Certificate));
        Assert.False(fromPfx.Admits(null));
    }

    [Fact]
    public void A_missing_file_and_a_certificate_without_its_key_are_user_errors()
    {
        var missing = Assert.Throws<PolicyLabException>(() => ClusterCertificate.Load(Path.Combine(_dir, "none.pfx")));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);

        var (pfx, _) = TestCertificates.Write(_dir, "c");
        using (X509Certificate2 full = X509CertificateLoader.LoadPkcs12FromFile(pfx, null))
            File.WriteAllText(Path.Combine(_dir, "public.pem"), full.ExportCertificatePem());
        var keyless = Assert.Throws<PolicyLabException>(() => ClusterCertificate.Load(Path.Combine(_dir, "public.pem")));
        Assert.Contains("private key", keyless.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_dir, "garbage.pfx"), "not a certificate");
        var garbage = Assert.Throws<PolicyLabException>(() => ClusterCertificate.Load(Path.Combine(_dir, "garbage.pfx")));
        Assert.Contains("could not be read", garbage.Message, StringComparison.Ordinal);
    }
}
