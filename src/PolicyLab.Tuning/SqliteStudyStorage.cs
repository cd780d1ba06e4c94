using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace PolicyLab.Tuning;

/// <summary>
/// A study file: one SQLite database (write-ahead log, busy timeout) holding studies, their trials, parameters and
/// intermediate values, shared by every process that tunes the same study. A new trial is claimed in one
/// <c>BEGIN IMMEDIATE</c> transaction that also reads the history it is sampled from, so parallel workers neither lose
/// nor duplicate trials. A running trial records its owner (host, process id and start time); a process that finds
/// a running trial whose owner on this host has ended marks it failed, and the study samples a replacement.
/// </summary>
public sealed class SqliteStudyStorage : IStudyStorage
{
    /// <summary>The <c>format</c> entry of a study file's meta table.</summary>
    public const string Format = "policylab-study";

    /// <summary>The schema version this PolicyLab writes and reads.</summary>
    public const int SchemaVersion = 1;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly SqliteConnection _connection;
    private readonly long _studyId;
    private readonly string _host = Environment.MachineName;
    private readonly int _pid = Environment.ProcessId;
    private readonly long _processStart = ProcessStartTicks(Process.GetCurrentProcess());

    private SqliteStudyStorage(SqliteConnection connection, string path, long studyId, string name, TuneSettings settings, SearchSpace space)
    {
        (_connection, Path, _studyId, StudyName, Settings, Space) = (connection, path, studyId, name, settings, space);
    }

    /// <summary>The study file.</summary>
    public string Path { get; }

    /// <summary>The study's name.</summary>
    public string StudyName { get; }

    /// <summary>What the study fixes for every trial.</summary>
    public TuneSettings Settings { get; }

    /// <summary>The study's search space.</summary>
    public SearchSpace Space { get; }

    /// <summary>
    /// Opens study <paramref name="name"/> in <paramref name="path"/>, creating the file and the study as needed.
    /// </summary>
    /// <exception cref="PolicyLabException">The file is not a study file or is from another version, or the study exists with other settings or another space.</exception>
    public static SqliteStudyStorage OpenOrCreate(string path, string name, TuneSettings settings, SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(space);
        SqliteConnection connection = Connect(path, create: true);
        try
        {
            using (SqliteTransaction tx = connection.BeginTransaction())
            {
                if (!HasSchema(connection, tx)) CreateSchema(connection, tx);
                string settingsJson = JsonSerializer.Serialize(settings, Json), spaceJson = space.ToJson();
                Execute(connection, tx, "INSERT OR IGNORE INTO studies(name, settings_json, space_json, created_utc) VALUES ($n, $s, $p, $t)",
                    ("$n", name), ("$s", settingsJson), ("$p", spaceJson), ("$t", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
                (long id, string storedSettings, string storedSpace) = ReadStudy(connection, tx, name, path)!.Value;
                if (storedSpace != spaceJson)
                    throw new PolicyLabException($"The study '{name}' in '{path}' was created with another search space:\n{SearchSpace.FromJson(storedSpace, path)}\n" +
                        $"and this command asks for:\n{space}\nPass the same --space as when it was created to continue it, or a new --study NAME for the new space.");
                TuneSettings stored = ReadSettings(storedSettings, path);
                if (stored != settings)
                    throw new PolicyLabException($"The study '{name}' in '{path}' was created with {Describe(stored)}, and this command asks for {Describe(settings)}. " +
                        "Trials run under other settings are not comparable: pass the study's own options to continue it, or a new --study NAME.");
                tx.Commit();
                return new SqliteStudyStorage(connection, path, id, name, settings, space);
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing study for reading (<c>tune show</c>, <c>tune export</c>); the only one when <paramref name="name"/> is null.</summary>
    /// <exception cref="PolicyLabException">The file is missing, not a study file, from another version, or has no such study.</exception>
    public static SqliteStudyStorage Open(string path, string? name)
    {
        if (!File.Exists(path))
            throw new PolicyLabException($"The study file '{path}' does not exist; `policylab tune --storage {path} …` creates it.");
        SqliteConnection connection = Connect(path, create: false);
        try
        {
            using SqliteTransaction tx = connection.BeginTransaction(deferred: true);
            if (!HasSchema(connection, tx))
                throw new PolicyLabException($"'{path}' holds no PolicyLab study (it is an empty SQLite database); pass the file `policylab tune --storage` wrote.");
            List<string> names = Names(connection, tx);
            if (names.Count == 0)
                throw new PolicyLabException($"The study file '{path}' holds no study yet.");
            if (name is null && names.Count > 1)
                throw new PolicyLabException($"The study file '{path}' holds {names.Count} studies ({string.Join(", ", names)}); pick one with --study NAME.");
            name ??= names[0];
            (long id, string settings, string space)? study = ReadStudy(connection, tx, name, path);
            if (study is null)
                throw new PolicyLabException($"The study file '{path}' has no study '{name}'; it has {string.Join(", ", names)}.{NameSuggestions.DidYouMean(name, names)}");
            tx.Commit();
            return new SqliteStudyStorage(connection, path, study.Value.id, name, ReadSettings(study.Value.settings, path), SearchSpace.FromJson(study.Value.space, path));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static string Describe(TuneSettings s) => string.Create(CultureInfo.InvariantCulture,
        $"algo {s.Algorithm}, env {s.Environment}, {s.StepsPerTrial} steps per trial, eval every {s.EvaluateEvery} ({s.EvaluationEpisodes} episodes), seed {s.Seed}, sampler {s.Sampler}, pruner {s.Pruner}, objective {s.Objective}, {s.StartupTrials} startup trials");

    private static TuneSettings ReadSettings(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TuneSettings>(json, Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new PolicyLabException($"The study settings stored in '{path}' cannot be read ({e.Message}); the file is damaged or from another version.", e);
        }
    }

    private static SqliteConnection Connect(string path, bool create)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 120,
        };
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (create && dir is not null) Directory.CreateDirectory(dir);
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, null, "PRAGMA busy_timeout = 120000");
            // Reading the schema is the first access to the file's contents: a file that is not SQLite fails here.
            Scalar(connection, null, "SELECT count(*) FROM sqlite_master");
            Execute(connection, null, "PRAGMA journal_mode = WAL");
            Execute(connection, null, "PRAGMA synchronous = NORMAL");
            return connection;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26 or 11) // SQLITE_NOTADB, SQLITE_CORRUPT
        {
            connection.Dispose();
            throw new PolicyLabException($"'{path}' is not a study file (not an SQLite database: {e.Message.TrimEnd('.')}); pass the file `policylab tune --storage` wrote, or a new path.", e);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new PolicyLabException($"Cannot open the study file '{path}' ({e.Message.TrimEnd('.')}); check that the path is writable.", e);
        }
    }

    private static bool HasSchema(SqliteConnection c, SqliteTransaction? tx)
    {
        var tables = new List<string>();
        using (SqliteCommand cmd = Command(c, tx, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
        using (SqliteDataReader r = cmd.ExecuteReader())
            while (r.Read()) tables.Add(r.GetString(0));
        if (tables.Count == 0) return false;
        string path = c.DataSource;
        if (!tables.Contains("meta"))
            throw new PolicyLabException($"'{path}' is an SQLite database but not a PolicyLab study file (its tables are {string.Join(", ", tables)}); pass the file `policylab tune --storage` wrote, or a new path.");
        string? format = Scalar(c, tx, "SELECT value FROM meta WHERE key = 'format'") as string;
        if (format != Format)
            throw new PolicyLabException($"'{path}' is an SQLite database but not a PolicyLab study file (its format is '{format ?? "missing"}'); pass the file `policylab tune --storage` wrote, or a new path.");
        string? version = Scalar(c, tx, "SELECT value FROM meta WHERE key = 'schema_version'") as string;
        if (version != SchemaVersion.ToString(CultureInfo.InvariantCulture))
            throw new PolicyLabException($"The study file '{path}' has schema version {version ?? "missing"}, and this PolicyLab reads version {SchemaVersion}; " +
                "open it with the PolicyLab version that wrote it, or start a new study file.");
        return true;
    }

    private static void CreateSchema(SqliteConnection c, SqliteTransaction tx)
    {
        Execute(c, tx, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        Execute(c, tx, "INSERT INTO meta VALUES ('format', $f), ('schema_version', $v)", ("$f", Format), ("$v", SchemaVersion.ToString(CultureInfo.InvariantCulture)));
        Execute(c, tx, "CREATE TABLE studies(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, settings_json TEXT NOT NULL, space_json TEXT NOT NULL, created_utc TEXT NOT NULL)");
        Execute(c, tx, "CREATE TABLE trials(id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL REFERENCES studies(id), number INTEGER NOT NULL, " +
            "state TEXT NOT NULL, value REAL, env_steps INTEGER NOT NULL DEFAULT 0, error TEXT, host TEXT NOT NULL, pid INTEGER NOT NULL, process_start INTEGER NOT NULL, " +
            "started_utc TEXT NOT NULL, finished_utc TEXT, UNIQUE(study_id, number))");
        Execute(c, tx, "CREATE TABLE params(trial_id INTEGER NOT NULL REFERENCES trials(id), name TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY(trial_id, name))");
        Execute(c, tx, "CREATE TABLE intermediate(trial_id INTEGER NOT NULL REFERENCES trials(id), step INTEGER NOT NULL, value REAL, env_steps INTEGER NOT NULL, PRIMARY KEY(trial_id, step))");
    }

    private static List<string> Names(SqliteConnection c, SqliteTransaction? tx)
    {
        var names = new List<string>();
        using SqliteCommand cmd = Command(c, tx, "SELECT name FROM studies ORDER BY id");
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read()) names.Add(r.GetString(0));
        return names;
    }

    private static (long, string, string)? ReadStudy(SqliteConnection c, SqliteTransaction? tx, string name, string path)
    {
        using SqliteCommand cmd = Command(c, tx, "SELECT id, settings_json, space_json FROM studies WHERE name = $n", ("$n", name));
        using SqliteDataReader r = cmd.ExecuteReader();
        return r.Read() ? (r.GetInt64(0), r.GetString(1), r.GetString(2)) : null;
    }

    /// <inheritdoc/>
    public TrialRecord? StartTrial(int targetTrials, TrialSampling sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        using SqliteTransaction tx = _connection.BeginTransaction();
        FailOrphans(tx);
        List<TrialRecord> trials = ReadTrials(tx);
        if (trials.Count(t => t.State != TrialState.Failed) >= targetTrials) return null;
        int number = trials.Count == 0 ? 0 : trials.Max(t => t.Number) + 1;
        IReadOnlyDictionary<string, double> values = sample([.. trials.Where(t => t.IsFinished)], number);
        Execute(_connection, tx, "INSERT INTO trials(study_id, number, state, host, pid, process_start, started_utc) VALUES ($s, $n, 'running', $h, $p, $ps, $t)",
            ("$s", _studyId), ("$n", number), ("$h", _host), ("$p", _pid), ("$ps", _processStart), ("$t", Now()));
        long trialId = (long)Scalar(_connection, tx, "SELECT last_insert_rowid()")!;
        foreach ((string name, double value) in values)
            Execute(_connection, tx, "INSERT INTO params(trial_id, name, value) VALUES ($t, $n, $v)", ("$t", trialId), ("$n", name), ("$v", value));
        tx.Commit();
        return new TrialRecord(number, TrialState.Running, null, values, [], 0, null);
    }

    /// <inheritdoc/>
    public void Report(int number, IntermediateValue value)
    {
        using SqliteTransaction tx = _connection.BeginTransaction();
        Execute(_connection, tx, "INSERT OR REPLACE INTO intermediate(trial_id, step, value, env_steps) VALUES ($t, $s, $v, $e)",
            ("$t", TrialId(tx, number)), ("$s", value.Step), ("$v", NullIfNaN(value.Value)), ("$e", value.EnvironmentSteps));
        tx.Commit();
    }

    /// <inheritdoc/>
    public void Finish(int number, TrialState state, double? value, long environmentSteps, string? error)
    {
        using SqliteTransaction tx = _connection.BeginTransaction();
        Execute(_connection, tx, "UPDATE trials SET state = $st, value = $v, env_steps = $e, error = $err, finished_utc = $t WHERE study_id = $s AND number = $n",
            ("$st", StateName(state)), ("$v", value is double v ? NullIfNaN(v) : DBNull.Value), ("$e", environmentSteps), ("$err", (object?)error ?? DBNull.Value),
            ("$t", Now()), ("$s", _studyId), ("$n", number));
        tx.Commit();
    }

    /// <inheritdoc/>
    public IReadOnlyList<TrialRecord> Trials()
    {
        using SqliteTransaction tx = _connection.BeginTransaction(deferred: true);
        List<TrialRecord> trials = ReadTrials(tx);
        tx.Commit();
        return trials;
    }

    /// <inheritdoc/>
    public int FailOrphanedTrials()
    {
        using SqliteTransaction tx = _connection.BeginTransaction();
        int n = FailOrphans(tx);
        tx.Commit();
        return n;
    }

    private int FailOrphans(SqliteTransaction tx)
    {
        var dead = new List<(long Id, int Number, long Pid)>();
        using (SqliteCommand cmd = Command(_connection, tx, "SELECT id, number, host, pid, process_start FROM trials WHERE study_id = $s AND state = 'running'", ("$s", _studyId)))
        using (SqliteDataReader r = cmd.ExecuteReader())
            while (r.Read())
                if (r.GetString(2) == _host && !IsAlive(r.GetInt32(3), r.GetInt64(4)))
                    dead.Add((r.GetInt64(0), r.GetInt32(1), r.GetInt64(3)));
        foreach ((long id, int number, long pid) in dead)
            Execute(_connection, tx, "UPDATE trials SET state = 'failed', error = $e, finished_utc = $t WHERE id = $i",
                ("$e", string.Create(CultureInfo.InvariantCulture, $"the process that ran it (pid {pid} on {_host}) ended before the trial finished; a new trial replaces it")),
                ("$t", Now()), ("$i", id));
        return dead.Count;
    }

    /// <summary>Whether process <paramref name="pid"/> is the one that started at <paramref name="startTicks"/> and has not ended (a zombie has).</summary>
    private bool IsAlive(int pid, long startTicks)
    {
        if (pid == _pid) return startTicks == _processStart;
        try
        {
            using Process p = Process.GetProcessById(pid);
            if (p.HasExited) return false;
            string stat = $"/proc/{pid}/stat";
            if (File.Exists(stat))
            {
                string text = File.ReadAllText(stat);
                int close = text.LastIndexOf(')');
                if (close > 0 && close + 2 < text.Length && text[close + 2] is 'Z' or 'X') return false;
            }
            return Math.Abs(ProcessStartTicks(p) - startTicks) < TimeSpan.TicksPerSecond;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long ProcessStartTicks(Process p)
    {
        try
        {
            return p.StartTime.ToUniversalTime().Ticks;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return 0;
        }
    }

    private long TrialId(SqliteTransaction tx, int number) =>
        (long)(Scalar(_connection, tx, "SELECT id FROM trials WHERE study_id = $s AND number = $n", ("$s", _studyId), ("$n", number))
            ?? throw new PolicyLabException($"Trial {number} is not in the study '{StudyName}' of '{Path}' (was the file replaced while tuning?)."));

    private List<TrialRecord> ReadTrials(SqliteTransaction? tx)
    {
        var parameters = new Dictionary<long, Dictionary<string, double>>();
        using (SqliteCommand cmd = Command(_connection, tx, "SELECT p.trial_id, p.name, p.value FROM params p JOIN trials t ON t.id = p.trial_id WHERE t.study_id = $s", ("$s", _studyId)))
        using (SqliteDataReader r = cmd.ExecuteReader())
            while (r.Read())
            {
                if (!parameters.TryGetValue(r.GetInt64(0), out Dictionary<string, double>? p)) parameters[r.GetInt64(0)] = p = new(StringComparer.Ordinal);
                p[r.GetString(1)] = r.GetDouble(2);
            }
        var intermediate = new Dictionary<long, List<IntermediateValue>>();
        using (SqliteCommand cmd = Command(_connection, tx, "SELECT i.trial_id, i.step, i.value, i.env_steps FROM intermediate i JOIN trials t ON t.id = i.trial_id WHERE t.study_id = $s ORDER BY i.trial_id, i.step", ("$s", _studyId)))
        using (SqliteDataReader r = cmd.ExecuteReader())
            while (r.Read())
            {
                if (!intermediate.TryGetValue(r.GetInt64(0), out List<IntermediateValue>? list)) intermediate[r.GetInt64(0)] = list = [];
                list.Add(new IntermediateValue(r.GetInt32(1), r.IsDBNull(2) ? double.NaN : r.GetDouble(2), r.GetInt64(3)));
            }
        var trials = new List<TrialRecord>();
        using (SqliteCommand cmd = Command(_connection, tx, "SELECT id, number, state, value, env_steps, error FROM trials WHERE study_id = $s ORDER BY number", ("$s", _studyId)))
        using (SqliteDataReader r = cmd.ExecuteReader())
            while (r.Read())
            {
                long id = r.GetInt64(0);
                TrialState state = ParseState(r.GetString(2));
                double? value = r.IsDBNull(3) ? (state is TrialState.Complete or TrialState.Pruned ? double.NaN : null) : r.GetDouble(3);
                trials.Add(new TrialRecord(r.GetInt32(1), state, value, parameters.GetValueOrDefault(id) ?? new Dictionary<string, double>(),
                    intermediate.GetValueOrDefault(id) ?? [], r.GetInt64(4), r.IsDBNull(5) ? null : r.GetString(5)));
            }
        return trials;
    }

    private static string StateName(TrialState s) => s.ToString().ToLowerInvariant();

    private static TrialState ParseState(string s) => s switch
    {
        "running" => TrialState.Running,
        "complete" => TrialState.Complete,
        "pruned" => TrialState.Pruned,
        "failed" => TrialState.Failed,
        _ => throw new PolicyLabException($"A trial has the unknown state '{s}'; the study file is damaged or from another version."),
    };

    private static object NullIfNaN(double v) => double.IsNaN(v) ? DBNull.Value : v;

    private static string Now() => DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach ((string name, object value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    private static void Execute(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        using SqliteCommand cmd = Command(c, tx, sql, parameters);
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        using SqliteCommand cmd = Command(c, tx, sql, parameters);
        return cmd.ExecuteScalar();
    }

    /// <inheritdoc/>
    public void Dispose() => _connection.Dispose();
}
