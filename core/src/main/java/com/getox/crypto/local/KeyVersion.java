package com.getox.crypto.local;

/**
 * One version of a local KEK: a Tink key id, its status, and whether it is the primary that
 * wraps new data keys.
 *
 * <pre>{@code
 * for (KeyVersion v : kms.versions()) System.out.println(v.id() + " " + v.status());
 * }</pre>
 */
public final class KeyVersion {
  /** A version's status. */
  public enum Status {
    /** Wraps (if primary) and unwraps. */
    ENABLED,
    /** Kept, but refuses to unwrap until enabled again. */
    DISABLED,
    /** Key material deleted: what it wrapped is gone for good (crypto-shredding). */
    DESTROYED
  }

  private final long id;
  private final Status status;
  private final boolean primary;

  KeyVersion(long id, Status status, boolean primary) {
    this.id = id;
    this.status = status;
    this.primary = primary;
  }

  /**
   * The version id, as recorded in wrapped keys.
   *
   * @return Tink's 32-bit key id, unsigned (0 to 2<sup>32</sup>-1)
   */
  public long id() {
    return id;
  }

  /**
   * The version's status.
   *
   * @return the status, never null
   */
  public Status status() {
    return status;
  }

  /**
   * Whether this version wraps new data keys.
   *
   * @return true for the primary version (always {@link Status#ENABLED})
   */
  public boolean isPrimary() {
    return primary;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyVersion
        && ((KeyVersion) o).id == id
        && ((KeyVersion) o).status == status
        && ((KeyVersion) o).primary == primary;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id) * 31 + status.hashCode() + (primary ? 1 : 0);
  }

  @Override
  public String toString() {
    return id + " " + status + (primary ? " primary" : "");
  }
}
