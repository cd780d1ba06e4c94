using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace PolicyLab.Cluster;

/// <summary>
/// The cluster's certificate for <c>--tls-cert</c>: every silo and the driver hold the same certificate (with its private
/// key), every connection between them is mutual TLS (Orleans' connection security), and a peer is admitted only when the
/// certificate it presents is this one (same SHA-256 hash). A member without it, or with another certificate, is refused
/// at the TLS handshake. Self-signed certificates are the intended use: trust comes from holding the file, not from a CA.
/// </summary>
public sealed class ClusterCertificate : IDisposable
{
    /// <summary>The environment variable holding a PFX file's password (not a command-line option: it would show in ps).</summary>
    public const string PasswordVariable = "POLICYLAB_TLS_PASSWORD";

    private readonly byte[] _hash;

    private ClusterCertificate(X509Certificate2 certificate, string path)
    {
        Certificate = certificate;
        Path = path;
        _hash = certificate.GetCertHash(HashAlgorithmName.SHA256);
    }

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The file it came from.</summary>
    public string Path { get; }

    /// <summary>Loads a PFX/PKCS#12 file (password from <see cref="PasswordVariable"/>, none by default) or a PEM file holding
    /// the certificate and its private key.</summary>
    /// <exception cref="PolicyLabException">The file is missing, unreadable, or has no private key.</exception>
    public static ClusterCertificate Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new PolicyLabException($"--tls-cert '{path}' does not exist; give the cluster's certificate file (PFX, or PEM with the certificate and its private key).");
        X509Certificate2 certificate;
        try
        {
            string head = File.ReadAllText(path).TrimStart();
            if (head.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                using X509Certificate2 pem = X509Certificate2.CreateFromPemFile(path);
                // A PEM key is ephemeral; a PKCS#12 round trip gives SslStream a key it can use on every platform.
                certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
            else
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, Environment.GetEnvironmentVariable(PasswordVariable));
            }
        }
        catch (CryptographicException e)
        {
            throw new PolicyLabException($"--tls-cert '{path}' could not be read as a PFX (password in {PasswordVariable}) or a PEM file with the certificate and its private key: {e.Message.TrimEnd('.')}.");
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new PolicyLabException($"--tls-cert '{path}' holds no private key; every member needs the certificate with its key (a PFX, or a PEM file with both).");
        }
        return new ClusterCertificate(certificate, path);
    }

    /// <summary>Whether <paramref name="remote"/> is the cluster's certificate.</summary>
    public bool Admits(X509Certificate2? remote) =>
        remote is not null && CryptographicOperations.FixedTimeEquals(remote.GetCertHash(HashAlgorithmName.SHA256), _hash);

    /// <summary>Mutual TLS on every connection, admitting only peers that present this certificate.</summary>
    public void Configure(TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LocalCertificate = Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        // The chain of a self-signed certificate never validates and silos are reached by address, not by the
        // certificate's name: the hash comparison is the whole check.
        options.RemoteCertificateValidation = (remote, _, _) => Admits(remote);
        options.HandshakeTimeout = TimeSpan.FromSeconds(10);
    }

    /// <inheritdoc/>
    public void Dispose() => Certificate.Dispose();
}
