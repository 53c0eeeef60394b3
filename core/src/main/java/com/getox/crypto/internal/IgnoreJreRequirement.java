package com.getox.crypto.internal;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks code that uses APIs beyond Android API 24 and is reached only after a runtime check that
 * they exist; the animal-sniffer check skips it (see the parent POM).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR})
public @interface IgnoreJreRequirement {}
