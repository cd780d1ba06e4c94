namespace PolicyLab.Environments.Box2D;

/// <summary>
/// Gymnasium's built-in BipedalWalker controller, a three-phase gait: stand on one leg with the other lifted forward,
/// put the lifted leg down, push off with the supporting leg; then swap legs. Hips and knees follow PD targets, the hips
/// also level the hull and the knees damp the vertical speed. It has no notion of balance and is meant for testing.
/// One instance per episode (it keeps the phase); <see cref="Reset"/> starts a new episode.
/// </summary>
public sealed class BipedalWalkerHeuristic
{
    private const double Speed = 0.29, SupportKneeAngle = 0.1;
    private Phase _phase;
    private int _movingLeg, _supportingLeg;
    private double _supportingKneeAngle;

    private enum Phase { StayOnOneLeg, PutOtherDown, PushOff }

    /// <summary>Creates the controller in its starting phase.</summary>
    public BipedalWalkerHeuristic() => Reset();

    /// <summary>Back to the starting phase: leg 0 moves, leg 1 supports.</summary>
    public void Reset()
    {
        _phase = Phase.StayOnOneLeg;
        _movingLeg = 0;
        _supportingLeg = 1;
        _supportingKneeAngle = SupportKneeAngle;
    }

    /// <summary>Writes the four motor commands for <paramref name="s"/> (a 24-float observation) and advances the phase.</summary>
    public void Act(ReadOnlySpan<float> s, Span<float> action)
    {
        int movingBase = 4 + 5 * _movingLeg, supportingBase = 4 + 5 * _supportingLeg;
        Span<double> hipTarget = [double.NaN, double.NaN], kneeTarget = [double.NaN, double.NaN]; // NaN: no target
        if (_phase == Phase.StayOnOneLeg)
        {
            hipTarget[_movingLeg] = 1.1;
            kneeTarget[_movingLeg] = -0.6;
            _supportingKneeAngle += 0.03;
            if (s[2] > Speed)
                _supportingKneeAngle += 0.03;
            _supportingKneeAngle = Math.Min(_supportingKneeAngle, SupportKneeAngle);
            kneeTarget[_supportingLeg] = _supportingKneeAngle;
            if (s[supportingBase] < 0.10) // the supporting leg is behind
                _phase = Phase.PutOtherDown;
        }
        if (_phase == Phase.PutOtherDown)
        {
            hipTarget[_movingLeg] = 0.1;
            kneeTarget[_movingLeg] = SupportKneeAngle;
            kneeTarget[_supportingLeg] = _supportingKneeAngle;
            if (s[movingBase + 4] != 0)
            {
                _phase = Phase.PushOff;
                _supportingKneeAngle = Math.Min(s[movingBase + 2], SupportKneeAngle);
            }
        }
        if (_phase == Phase.PushOff)
        {
            kneeTarget[_movingLeg] = _supportingKneeAngle;
            kneeTarget[_supportingLeg] = 1.0;
            if (s[supportingBase + 2] > 0.88 || s[2] > 1.2 * Speed)
            {
                _phase = Phase.StayOnOneLeg;
                _movingLeg = 1 - _movingLeg;
                _supportingLeg = 1 - _movingLeg;
            }
        }
        Span<double> hip = [0, 0], knee = [0, 0];
        // Gymnasium tests the targets for truthiness, so a target of exactly 0 counts as none.
        for (int leg = 0; leg < 2; leg++)
        {
            double h = hipTarget[leg], k = kneeTarget[leg];
            if (!double.IsNaN(h) && h != 0)
                hip[leg] = 0.9 * (h - s[4 + 5 * leg]) - 0.25 * s[5 + 5 * leg];
            if (!double.IsNaN(k) && k != 0)
                knee[leg] = 4.0 * (k - s[6 + 5 * leg]) - 0.25 * s[7 + 5 * leg];
            hip[leg] -= 0.9 * (0 - s[0]) - 1.5 * s[1]; // keep the hull level
            knee[leg] -= 15.0 * s[3];                  // damp vertical oscillation
        }
        action[0] = (float)Math.Clamp(0.5 * hip[0], -1.0, 1.0);
        action[1] = (float)Math.Clamp(0.5 * knee[0], -1.0, 1.0);
        action[2] = (float)Math.Clamp(0.5 * hip[1], -1.0, 1.0);
        action[3] = (float)Math.Clamp(0.5 * knee[1], -1.0, 1.0);
    }
}
